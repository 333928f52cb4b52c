/** SQL for channels and Twitch users. */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { channels, users, type ChannelRow } from '../../db/schema.js';

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

export async function findUsers(tx: Executor, userIds: readonly string[]) {
  if (userIds.length === 0) return new Map<string, typeof users.$inferSelect>();
  const rows = await tx.select().from(users).where(inArray(users.userId, [...userIds]));
  return new Map(rows.map((r) => [r.userId, r]));
}

/** The user currently holding `login` (most recently seen, if a login was recycled). */
export async function findUserByLogin(tx: Executor, login: string) {
  const [row] = await tx
    .select()
    .from(users)
    .where(eq(users.login, login.toLowerCase()))
    .orderBy(sql`${users.updatedAt} DESC`)
    .limit(1);
  return row ?? null;
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
