/**
 * Watch-time accrual as set-based SQL: whatever the number of viewers, one statement upserts the
 * users, one creates missing wallets, and one statement records the credits (the primary key of
 * `accrual_credits` makes a repeated interval a no-op), appends the journal rows and applies the
 * balance deltas. 50,000 chatters are a few array parameters, not 50,000 round trips.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { ChatUser } from '../domain/actor.js';
import { arrayParam, getSystemAccounts } from '../repositories/ledger-repository.js';

export interface AccrualBatch {
  channelId: number;
  /** Start of the interval being credited: the idempotency key together with channel and viewer. */
  intervalStart: Date;
  /** Viewers who chatted at or after this moment earn the bonus (and count as present). */
  chattedSince: Date;
  amount: number;
  chatBonus: number;
  startingBalance: number;
  /** Present viewers (Get Chatters); empty in the chat-activity fallback. */
  viewers: readonly ChatUser[];
}

export interface AccrualResult {
  /** Viewers credited now (0 when this interval was already credited). */
  credited: number;
  points: number;
  newWallets: number;
}

/** Remembers that a viewer chatted (for the bonus and the fallback); also records or renames the user. */
export async function recordChatActivity(tx: Executor, channelId: number, user: ChatUser, at: Date): Promise<void> {
  await tx.execute(sql`
    WITH u AS (
      INSERT INTO users (user_id, login, display_name) VALUES (${user.userId}, ${user.login}, ${user.displayName})
      ON CONFLICT (user_id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name, updated_at = now()
        WHERE users.login <> excluded.login OR users.display_name <> excluded.display_name)
    INSERT INTO chat_activity (channel_id, user_id, last_chat_at) VALUES (${channelId}, ${user.userId}, ${at})
    ON CONFLICT (channel_id, user_id) DO UPDATE SET last_chat_at = GREATEST(chat_activity.last_chat_at, excluded.last_chat_at)`);
}

/** Runs inside the caller's transaction; see the module comment. */
export async function creditAccrual(tx: Executor, batch: AccrualBatch): Promise<AccrualResult> {
  const { channelId } = batch;
  const unique = new Map(batch.viewers.map((v) => [v.userId, v]));
  const ids = [...unique.keys()];
  const logins = [...unique.values()].map((v) => v.login);
  const names = [...unique.values()].map((v) => v.displayName);

  if (ids.length > 0) {
    // A user id appears once (deduplicated above), so the upsert touches each row at most once.
    await tx.execute(sql`
      INSERT INTO users (user_id, login, display_name)
      SELECT * FROM unnest(${arrayParam(ids)}::text[], ${arrayParam(logins)}::text[], ${arrayParam(names)}::text[])
      ON CONFLICT (user_id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name, updated_at = now()
        WHERE users.login <> excluded.login OR users.display_name <> excluded.display_name`);
  }

  const viewers = sql`
    SELECT unnest(${arrayParam(ids)}::text[]) AS user_id
    UNION
    SELECT user_id FROM chat_activity WHERE channel_id = ${channelId} AND last_chat_at >= ${batch.chattedSince}`;

  const created = await tx.execute(sql`
    INSERT INTO accounts (channel_id, kind, user_id)
    SELECT ${channelId}, 'wallet', v.user_id FROM (${viewers}) v
    ON CONFLICT (channel_id, user_id) WHERE kind = 'wallet' DO NOTHING
    RETURNING id`);
  const newWallets = (created.rows as { id: number }[]).map((r) => Number(r.id));

  const { mint } = await getSystemAccounts(tx, channelId);
  // Mint first, wallets after: the same order `applyDeltas` locks in, so a concurrent grant cannot deadlock us.
  await tx.execute(sql`SELECT id FROM accounts WHERE id = ${mint} FOR UPDATE`);

  const keyPrefix = `${batch.intervalStart.toISOString()}:`;
  const result = await tx.execute(sql`
    WITH viewers AS (${viewers}),
    credited AS (
      INSERT INTO accrual_credits (channel_id, user_id, interval_start, amount)
      SELECT ${channelId}, v.user_id, ${batch.intervalStart},
             ${batch.amount}::bigint + CASE WHEN ca.last_chat_at >= ${batch.chattedSince} THEN ${batch.chatBonus}::bigint ELSE 0 END
      FROM viewers v LEFT JOIN chat_activity ca ON ca.channel_id = ${channelId} AND ca.user_id = v.user_id
      ON CONFLICT DO NOTHING
      RETURNING user_id, amount),
    moves AS (
      SELECT w.id AS wallet, c.amount, 'accrual'::transfer_kind AS kind, ${keyPrefix} || c.user_id AS ikey
      FROM credited c JOIN accounts w ON w.channel_id = ${channelId} AND w.kind = 'wallet' AND w.user_id = c.user_id
      WHERE c.amount > 0
      UNION ALL
      SELECT n.id, ${batch.startingBalance}::bigint, 'starting_balance'::transfer_kind, NULL
      FROM unnest(${arrayParam(newWallets)}::bigint[]) AS n(id) WHERE ${batch.startingBalance}::bigint > 0),
    journal AS (
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor, idempotency_key)
      SELECT ${channelId}, ${mint}, wallet, amount, kind, 'system', ikey FROM moves
      RETURNING to_account, amount, kind),
    deltas AS (
      SELECT to_account AS id, sum(amount) AS delta FROM journal GROUP BY to_account
      UNION ALL
      SELECT ${mint}, -sum(amount) FROM journal HAVING count(*) > 0),
    applied AS (
      UPDATE accounts a SET balance = a.balance + d.delta FROM deltas d WHERE a.id = d.id RETURNING a.id)
    SELECT (SELECT count(*) FROM credited)::int AS credited,
           (SELECT coalesce(sum(amount), 0) FROM journal WHERE kind = 'accrual')::bigint AS points,
           (SELECT count(*) FROM applied)::int AS touched`);
  const row = result.rows[0] as { credited: number; points: number };
  return { credited: Number(row.credited), points: Number(row.points), newWallets: newWallets.length };
}
