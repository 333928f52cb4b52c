/**
 * Watch-time accrual's ledger writes, set-based, one chunk of viewers per transaction. The job
 * (`creditInterval` in server/twitch/accrual-job.ts) lists the interval's viewers once
 * (`intervalViewers` in server/twitch/accrual-repository.ts: the present chatters plus those who
 * chatted, sorted by user id) and credits them a few thousand at a time, each chunk its own short
 * transaction (`creditAccrualChunk`): the channel's mint and the chunk's wallets are held for tens
 * of milliseconds, not for the 1-2 s that 50,000 viewers take in one transaction, so a pledge by a
 * viewer being credited waits at most one chunk. 50,000 viewers in chunks of 2,000
 * (bench/accrual.ts): ~1.0 s with wallets in place, chunks of ~45 ms; ~1.9 s when all are new,
 * chunks of ~75-100 ms.
 *
 * Exactly once per viewer and interval, whatever the chunking, crashes and retries: the accrual
 * journal row carries the idempotency key `<intervalStart>:<userId>` and the unique index on
 * transfers (channel, kind, key) refuses a second one; balances move only by the rows actually
 * inserted. A chunk commits its viewers' journal rows and balances together, so re-running an
 * interval after a failure between chunks credits exactly the viewers no committed chunk credited.
 *
 * Locks inside a chunk follow the code base's order: wallets first (the existing ones in ascending
 * id order; new ones are inserted, invisible to others until commit), then the shared accounts (the
 * mint). Pledge batches (wallets, then mint and escrows) and `applyDeltas` take the same order, so
 * none of them can deadlock against a chunk; the hot mint row is also held for the shortest time.
 * Every lookup is an index probe driven by the viewer list (`LATERAL ... LIMIT 1`), so the
 * plans depend neither on table statistics (autovacuum may be off) nor on the channel's size.
 */
import { sql } from 'drizzle-orm';
import { arrayParam } from '../../db/array-param.js';
import type { Executor } from '../../db/client.js';
import type { ChatUser } from '../domain/actor.js';
import { MAX_WALLET_BALANCE } from '../domain/bounds.js';

/** What a chunk needs beside its viewers; `mint` is looked up once per interval. */
export interface AccrualTerms {
  channelId: number;
  /** Start of the interval being credited: the idempotency key together with channel and viewer. */
  intervalStart: Date;
  amount: number;
  chatBonus: number;
  startingBalance: number;
  mint: number;
}

export interface AccrualResult {
  /** Viewers credited now (0 when this interval was already credited). */
  credited: number;
  points: number;
  newWallets: number;
}

/** One viewer to credit: `user` when present (name to record), `chatted` when the bonus is earned. */
export interface AccrualViewer {
  userId: string;
  user: ChatUser | null;
  chatted: boolean;
}


/**
 * A wallet was created by another writer (a pledge) between this chunk's lookup and its insert.
 * The chunk rolls back and runs again, so that wallet is locked in id order with the others.
 */
export class AccrualWalletRace extends Error {
  constructor(readonly users: number) {
    super(`${users} wallet(s) created concurrently; chunk to be re-run`);
  }
}

/**
 * Credits one chunk of an interval's viewers inside the caller's transaction (their users must
 * exist: `upsertChangedUsers` first, channels-repository.ts); see the module comment. New wallets
 * are opened here with their starting balance, by the rule of wallets.ts.
 */
export async function creditAccrualChunk(tx: Executor, terms: AccrualTerms, chunk: readonly AccrualViewer[]): Promise<AccrualResult> {
  const { channelId, mint } = terms;
  if (chunk.length === 0) return { credited: 0, points: 0, newWallets: 0 };
  // Index probes on estimates without statistics can cost above jit_above_cost; compiling them
  // took 5 ms to 270 ms per statement here for plans that gain nothing from it.
  await tx.execute(sql`SET LOCAL jit = off`);

  // The chunk's wallets in id order, then the mint: the code base's lock order (wallets, then the
  // shared accounts), which pledge batches and `applyDeltas` follow too. NO KEY UPDATE is what the
  // balance update needs, and no stronger.
  const locked = await tx.execute(sql`
    SELECT id, user_id, balance FROM accounts
    WHERE id = ANY(ARRAY(
      SELECT w.id FROM unnest(${arrayParam(chunk.map((v) => v.userId))}::text[]) AS u(user_id)
      CROSS JOIN LATERAL (
        SELECT id FROM accounts WHERE channel_id = ${channelId} AND kind = 'wallet' AND user_id = u.user_id LIMIT 1) w))
    ORDER BY id FOR NO KEY UPDATE`);
  await tx.execute(sql`SELECT id FROM accounts WHERE id = ${mint} FOR NO KEY UPDATE`);
  const rows = locked.rows as { id: number; user_id: string; balance: number }[];
  const walletOf = new Map(rows.map((r) => [r.user_id, Number(r.id)]));
  const balanceOf = new Map(rows.map((r) => [r.user_id, Number(r.balance)]));

  const earned = (v: AccrualViewer) => terms.amount + (v.chatted ? terms.chatBonus : 0);
  // A wallet at the balance bound earns nothing this interval, rather than failing the chunk.
  const existing = chunk.filter(
    (v) => walletOf.has(v.userId) && earned(v) > 0 && (balanceOf.get(v.userId) ?? 0) + earned(v) <= MAX_WALLET_BALANCE,
  );
  const fresh = chunk.filter((v) => !walletOf.has(v.userId));
  const keyPrefix = `${terms.intervalStart.toISOString()}:`;
  const start = terms.startingBalance;

  // New viewers: each wallet is inserted with its final balance (starting balance plus this
  // interval's points) next to the two journal rows that account for it; updating it afterwards
  // would cost the update plus its foreign-key checks again (Postgres re-checks the keys of a row
  // updated by the transaction that inserted it). Existing wallets: balances move by the journal
  // rows actually inserted (RETURNING), so a viewer credited before (a re-run) moves nothing. All
  // rows this statement updates are locked above; the mint takes the sum of both. The update's
  // `id = ANY(ARRAY(...))` is a primary-key lookup whatever the table's size: the planner cannot
  // count that array, whereas with a visible 2,000-id array it scanned a 50,000-row accounts table.
  const result = await tx.execute(sql`
    WITH created AS (
      INSERT INTO accounts (channel_id, kind, user_id, balance)
      SELECT ${channelId}, 'wallet', n.user_id, ${start}::bigint + n.earned
      FROM unnest(${arrayParam(fresh.map((v) => v.userId))}::text[], ${arrayParam(fresh.map(earned))}::bigint[]) AS n(user_id, earned)
      ORDER BY n.user_id COLLATE "C"
      ON CONFLICT (channel_id, user_id) WHERE kind = 'wallet' DO NOTHING
      RETURNING id, user_id, balance - ${start}::bigint AS earned),
    opened AS (
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor, idempotency_key)
      SELECT ${channelId}::int, ${mint}::bigint, id, ${start}::bigint, 'starting_balance'::transfer_kind, 'system', NULL
      FROM created WHERE ${start}::bigint > 0
      UNION ALL
      SELECT ${channelId}::int, ${mint}::bigint, id, earned, 'accrual'::transfer_kind, 'system', ${keyPrefix} || user_id
      FROM created WHERE earned > 0
      RETURNING amount, kind),
    credited AS (
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor, idempotency_key)
      SELECT ${channelId}, ${mint}, e.id, e.earned, 'accrual', 'system', ${keyPrefix} || e.user_id
      FROM unnest(${arrayParam(existing.map((v) => walletOf.get(v.userId)))}::bigint[], ${arrayParam(existing.map((v) => v.userId))}::text[],
                  ${arrayParam(existing.map(earned))}::bigint[]) AS e(id, user_id, earned)
      ON CONFLICT (channel_id, kind, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
      RETURNING to_account, amount),
    deltas AS (
      SELECT to_account AS id, amount AS delta FROM credited
      UNION ALL
      SELECT ${mint}::bigint, -((SELECT coalesce(sum(amount), 0) FROM credited) + (SELECT coalesce(sum(amount), 0) FROM opened))),
    applied AS (
      UPDATE accounts a SET balance = a.balance + d.delta FROM deltas d
      WHERE a.id = d.id AND d.delta <> 0 AND a.id = ANY(ARRAY(SELECT id FROM deltas)))
    SELECT (SELECT count(*) FROM created)::int AS wallets,
           (SELECT count(*) FROM credited)::int + (SELECT count(*) FROM opened WHERE kind = 'accrual')::int AS credited,
           (SELECT coalesce(sum(amount), 0) FROM credited)::bigint
             + (SELECT coalesce(sum(amount), 0) FROM opened WHERE kind = 'accrual')::bigint AS points`);
  const row = result.rows[0] as { wallets: number; credited: number; points: number };
  // A skipped insert means a wallet appeared since the lookup: it is neither locked nor credited.
  if (Number(row.wallets) < fresh.length) throw new AccrualWalletRace(fresh.length - Number(row.wallets));
  return { credited: Number(row.credited), points: Number(row.points), newWallets: Number(row.wallets) };
}
