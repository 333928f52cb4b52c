/**
 * Settlement's writes to the ledger: one batch of a terminal mission's pledges marked settled,
 * journaled and its points moved, as one statement plus the balance update. A refund writes one
 * journal row per pledge (each to its backer's wallet), a payout one escrow → treasury row for
 * the whole batch. Which pledges a batch takes, and when a mission is done, is decided by the
 * settlement service (server/services/settlement.ts), which calls these in its transactions.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { MissionStatus } from '../domain/mission-status.js';
import { escrowOf } from './accounts.js';
import { applyDeltas } from './transfers.js';

export interface MissionAccounts {
  status: MissionStatus;
  settled: boolean;
  channelId: number;
  escrow: number;
  escrowBalance: number;
  treasury: number;
}

/**
 * The mission with its escrow and its channel's treasury, in one round trip. `asyncCommit` turns
 * off the wait for the WAL flush at commit (`synchronous_commit`) for the job's batches, not for
 * a verdict's transaction, which is announced as soon as it commits. It saves the flush of the
 * batch's megabytes of WAL while its locks are held. A batch lost in a Postgres crash is lost
 * whole (pledge marks, journal rows and balances are one WAL stream, replayed in order): the
 * job's connection fails, BullMQ retries the job, and it settles those pledges again. Any later
 * synchronous commit (a pledge spending the refund, the batch that completes the mission)
 * flushes the earlier batches with it, so nothing durable can rest on a lost batch.
 */
export async function settlementAccounts(tx: Executor, missionId: number, asyncCommit: boolean): Promise<MissionAccounts> {
  const result = await tx.execute(sql`
    SELECT m.status, m.settled, m.channel_id, e.id AS escrow, e.balance AS escrow_balance, t.id AS treasury
           ${asyncCommit ? sql`, set_config('synchronous_commit', 'off', true)` : sql``}
    FROM missions m
    JOIN accounts e ON e.kind = 'escrow' AND e.mission_id = m.id
    JOIN accounts t ON t.channel_id = m.channel_id AND t.kind = 'treasury'
    WHERE m.id = ${missionId}`);
  const row = result.rows[0] as
    | { status: MissionStatus; settled: boolean; channel_id: number; escrow: string; escrow_balance: string; treasury: string }
    | undefined;
  if (!row) throw new Error(`mission ${missionId} not found (or has no escrow or treasury)`);
  return {
    status: row.status,
    settled: row.settled,
    channelId: Number(row.channel_id),
    escrow: Number(row.escrow),
    escrowBalance: Number(row.escrow_balance),
    treasury: Number(row.treasury),
  };
}

/**
 * Marks the pledges `update` selects (it completes `UPDATE pledges p SET ...` into the statement
 * that settles the batch), journals them and applies the summed balance deltas. Locks are taken
 * in a fixed order: the pledges, then the backers' wallets by id, then the mission's escrow and
 * the treasury (`applyDeltas`' order). Returns the pledges settled, the points moved and the
 * escrow's balance after.
 */
export async function settleSelected(
  tx: Executor,
  missionId: number,
  mission: MissionAccounts,
  outcome: 'refunded' | 'paid',
  update: (mark: SQL) => SQL,
  now: Date,
): Promise<{ settled: number; amount: number; escrowLeft: number }> {
  const { escrow, treasury } = mission;

  const marked = sql`WITH settled AS (
      ${update(sql`UPDATE pledges p SET settlement = ${outcome}::settlement_kind, settled_at = ${now}`)}
      RETURNING p.id, p.user_id, p.amount
    )`;
  const journal =
    outcome === 'refunded'
      ? // One row per pledge, to its backer's wallet, found with one probe of accounts_wallet_uq (a
        // LATERAL join cannot become a hash join over every wallet of the channel, whatever the
        // statistics say).
        sql`INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor, created_at)
          SELECT ${mission.channelId}, ${escrow}, w.id, s.amount, 'refund'::transfer_kind, ${missionId}, s.id, 'settlement', ${now}
          FROM settled s CROSS JOIN LATERAL (
            SELECT id FROM accounts WHERE channel_id = ${mission.channelId} AND kind = 'wallet' AND user_id = s.user_id) w`
      : // One row for the whole batch: the treasury receives one transfer per batch. The pledges'
        // own marks (and migration 0006's trigger) say which pledges it paid; the key names them.
        sql`INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, actor, idempotency_key, created_at)
          SELECT ${mission.channelId}, ${escrow}, ${treasury}, sum(s.amount)::bigint, 'payout'::transfer_kind, ${missionId}, 'settlement',
                 ${`payout:${missionId}:`}::text || min(s.id) || '-' || max(s.id), ${now}
          FROM settled s HAVING count(*) > 0`;
  const result = await tx.execute(sql`
    ${marked}, journal AS (
      ${journal}
      RETURNING to_account, amount
    ), credits AS (
      SELECT to_account, sum(amount)::bigint AS total FROM journal GROUP BY to_account
    )
    SELECT (SELECT count(*)::int FROM settled) AS settled,
           (SELECT COALESCE(sum(amount), 0)::bigint FROM settled) AS settled_amount,
           (SELECT array_agg(to_account ORDER BY to_account) FROM credits) AS accounts,
           (SELECT array_agg(total ORDER BY to_account) FROM credits) AS totals`);
  const row = result.rows[0] as { settled: number; settled_amount: string; accounts: string[] | null; totals: string[] | null };
  const accounts = (row.accounts ?? []).map(Number);
  const totals = (row.totals ?? []).map(Number);
  const amount = totals.reduce((a, b) => a + b, 0);
  // Every settled point is journaled, or the batch must not commit (a backer without a wallet).
  if (amount !== Number(row.settled_amount)) {
    throw new Error(`mission ${missionId}: ${row.settled} pledges of ${row.settled_amount} settled but ${amount} journaled`);
  }
  let escrowLeft = mission.escrowBalance;
  if (amount > 0) {
    // One wallet credit per backer (or one treasury credit) and the escrow's debit; applyDeltas
    // locks the wallets first and the escrow and treasury, which every batch touches, last.
    const deltas = new Map(accounts.map((id, i) => [id, totals[i]!] as const));
    deltas.set(escrow, -amount);
    await applyDeltas(tx, deltas);
    escrowLeft = (await escrowOf(tx, missionId)).balance;
  }

  return { settled: row.settled, amount, escrowLeft };
}
