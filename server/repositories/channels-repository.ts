/** SQL for channels and Twitch users. */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { SqlRunner } from '../../db/pipeline.js';
import { channels, users, type ChannelRow } from '../../db/schema.js';
import { arrayParam } from '../../db/array-param.js';

export async function findChannelByLogin(tx: Executor, login: string, lock?: 'update'): Promise<ChannelRow | null> {
  const query = tx.select().from(channels).where(eq(channels.login, login));
  const [row] = lock === 'update' ? await query.for('update') : await query;
  return row ?? null;
}

export async function findChannelById(tx: Executor, id: number): Promise<ChannelRow | null> {
  const [row] = await tx.select().from(channels).where(eq(channels.id, id));
  return row ?? null;
}

export async function insertChannel(tx: Executor, values: typeof channels.$inferInsert): Promise<ChannelRow | null> {
  const [row] = await tx.insert(channels).values(values).onConflictDoNothing({ target: channels.login }).returning();
  return row ?? null;
}

export async function updateChannel(tx: Executor, id: number, values: Partial<typeof channels.$inferInsert>): Promise<ChannelRow> {
  const [row] = await tx.update(channels).set(values).where(eq(channels.id, id)).returning();
  return row!;
}

export async function listChannels(tx: Executor): Promise<ChannelRow[]> {
  return tx.select().from(channels).orderBy(channels.id);
}

export interface UserInput {
  userId: string;
  login: string;
  displayName: string;
}

/** Inserts or refreshes a Twitch user; a changed login (rename) is followed, the id stays. */
export async function upsertUser(tx: Executor, user: UserInput): Promise<void> {
  await tx
    .insert(users)
    .values({ ...user, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: users.userId,
      set: { login: user.login, displayName: user.displayName, updatedAt: new Date() },
      setWhere: sql`${users.login} <> excluded.login OR ${users.displayName} <> excluded.display_name`,
    });
}

/**
 * Inserts new users and renames changed ones, many at once (user ids distinct). Unchanged users
 * (nearly all: returning viewers) are filtered out by a plain read first, since `ON CONFLICT DO
 * UPDATE ... WHERE` would lock each of them (a WAL record per row), and such a lock blocks the
 * key-share lock a new wallet takes on its user. Rows go in user-id order so two writers cannot
 * deadlock on them. Used by the pledge batcher and by watch-time accrual.
 */
export async function upsertChangedUsers(tx: SqlRunner, viewers: readonly UserInput[]): Promise<void> {
  if (viewers.length === 0) return;
  await tx.execute(sql`
    INSERT INTO users (user_id, login, display_name)
    SELECT u.id, u.login, u.name
    FROM unnest(${arrayParam(viewers.map((v) => v.userId))}::text[], ${arrayParam(viewers.map((v) => v.login))}::text[],
                ${arrayParam(viewers.map((v) => v.displayName))}::text[]) AS u(id, login, name)
    LEFT JOIN LATERAL (SELECT x.login, x.display_name FROM users x WHERE x.user_id = u.id LIMIT 1) x ON true
    WHERE x.login IS DISTINCT FROM u.login OR x.display_name IS DISTINCT FROM u.name
    ORDER BY u.id COLLATE "C"
    ON CONFLICT (user_id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name, updated_at = now()
      WHERE users.login <> excluded.login OR users.display_name <> excluded.display_name`);
}

export async function findUsers(tx: Executor, userIds: readonly string[]) {
  if (userIds.length === 0) return new Map<string, typeof users.$inferSelect>();
  const rows = await tx.select().from(users).where(inArray(users.userId, [...userIds]));
  return new Map(rows.map((r) => [r.userId, r]));
}

/** Records a user only when the id is new; an existing row keeps its names. */
export async function insertUserIfAbsent(tx: Executor, user: UserInput): Promise<void> {
  await tx.insert(users).values({ ...user, updatedAt: new Date() }).onConflictDoNothing({ target: users.userId });
}

/**
 * The user holding `login` in this channel (one with a wallet here), most recently seen first
 * when a login was recycled. With `anyChannel`, a user seen only in other channels is the fallback.
 */
export async function findUserByLogin(tx: Executor, login: string, channelId: number, anyChannel = false) {
  const lower = login.toLowerCase();
  const here = await tx.execute(sql`
    SELECT u.user_id, u.login, u.display_name FROM users u
    JOIN accounts w ON w.channel_id = ${channelId} AND w.kind = 'wallet' AND w.user_id = u.user_id
    WHERE u.login = ${lower} ORDER BY u.updated_at DESC LIMIT 1`);
  const row = here.rows[0] as { user_id: string; login: string; display_name: string } | undefined;
  if (row) return { userId: row.user_id, login: row.login, displayName: row.display_name };
  if (!anyChannel) return null;
  const [other] = await tx
    .select({ userId: users.userId, login: users.login, displayName: users.displayName })
    .from(users)
    .where(eq(users.login, lower))
    .orderBy(sql`${users.updatedAt} DESC`)
    .limit(1);
  return other ?? null;
}

/** Another user than `userId` who holds `login`, if any. */
export async function otherHolderOfLogin(tx: Executor, login: string, userId: string): Promise<string | null> {
  const result = await tx.execute(sql`SELECT user_id FROM users WHERE login = ${login} AND user_id <> ${userId} LIMIT 1`);
  return (result.rows[0] as { user_id: string } | undefined)?.user_id ?? null;
}

export interface ChannelTotals {
  circulating: number;
  escrow: number;
  treasury: number;
  minted: number;
}

export async function channelTotals(tx: Executor, channelId: number): Promise<ChannelTotals> {
  const result = await tx.execute(sql`
    SELECT COALESCE(sum(balance) FILTER (WHERE kind = 'wallet'), 0) AS circulating,
           COALESCE(sum(balance) FILTER (WHERE kind = 'escrow'), 0) AS escrow,
           COALESCE(sum(balance) FILTER (WHERE kind = 'treasury'), 0) AS treasury,
           COALESCE(-sum(balance) FILTER (WHERE kind = 'mint'), 0) AS minted
    FROM accounts WHERE channel_id = ${channelId}`);
  const r = result.rows[0] as Record<string, number>;
  return { circulating: Number(r.circulating), escrow: Number(r.escrow), treasury: Number(r.treasury), minted: Number(r.minted) };
}
