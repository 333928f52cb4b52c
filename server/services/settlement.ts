/**
 * Settlement: moves a terminal mission's escrow back to its backers (refund) or to the treasury
 * (payout), in batches. Each batch is one transaction that marks pledges settled, writes one
 * journal row per pledge and applies the summed balance deltas. A pledge can be settled only once
 * (`settlement IS NULL` guard plus the unique index on settlement transfers), so a crash at any
 * point is resumed by simply running the next batch.
 */
import { sql } from 'drizzle-orm';
import type { Executor, Database } from '../../db/client.js';
import { settlementFor } from '../domain/mission-rules.js';
import { applyDeltas, escrowOf, getSystemAccounts } from '../repositories/ledger-repository.js';
import { findMissionById, updateMission } from '../repositories/missions-repository.js';
import { withRetry } from './transaction.js';

export const DEFAULT_BATCH_SIZE = 5_000;
/** Missions with at most this many unsettled pledges are settled inside the verdict's transaction. */
export const INLINE_SETTLEMENT_LIMIT = 1_000;

export interface BatchResult {
  settledPledges: number;
  amount: number;
  done: boolean;
}

/** Settles up to `limit` pledges of the mission inside `tx`. The mission must already be terminal. */
export async function settleBatch(tx: Executor, missionId: number, limit: number, now: Date): Promise<BatchResult> {
  const mission = await findMissionById(tx, missionId);
  if (!mission) throw new Error(`mission ${missionId} not found`);
  const outcome = settlementFor(mission.status);
  if (outcome === null) throw new Error(`mission ${missionId} is ${mission.status}, not terminal`);
  if (mission.settled) return { settledPledges: 0, amount: 0, done: true };

  const escrow = await escrowOf(tx, missionId);
  const { treasury } = await getSystemAccounts(tx, mission.channelId);
  const kind = outcome === 'paid' ? 'payout' : 'refund';
  const result = await tx.execute(sql`
    WITH batch AS (
      SELECT id FROM pledges
      WHERE mission_id = ${missionId} AND settlement IS NULL
      ORDER BY id LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ), settled AS (
      UPDATE pledges p SET settlement = ${outcome}::settlement_kind, settled_at = ${now}
      FROM batch WHERE p.id = batch.id AND p.settlement IS NULL
      RETURNING p.id, p.user_id, p.amount
    ), journal AS (
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor, created_at)
      SELECT ${mission.channelId}, ${escrow.id}, ${outcome === 'paid' ? sql`${treasury}::bigint` : sql`w.id`},
             s.amount, ${kind}::transfer_kind, ${missionId}, s.id, 'settlement', ${now}
      FROM settled s
      ${outcome === 'paid' ? sql`` : sql`JOIN accounts w ON w.channel_id = ${mission.channelId} AND w.kind = 'wallet' AND w.user_id = s.user_id`}
      RETURNING to_account, amount
    )
    SELECT to_account, sum(amount)::bigint AS total, count(*)::int AS n FROM journal GROUP BY to_account`);

  const credits = result.rows as { to_account: number; total: number; n: number }[];
  const deltas = new Map<number, number>();
  let amount = 0;
  let settledPledges = 0;
  for (const c of credits) {
    deltas.set(Number(c.to_account), Number(c.total));
    amount += Number(c.total);
    settledPledges += Number(c.n);
  }
  if (amount > 0) {
    deltas.set(escrow.id, -amount);
    await applyDeltas(tx, deltas);
  }

  const remaining = await tx.execute(
    sql`SELECT 1 FROM pledges WHERE mission_id = ${missionId} AND settlement IS NULL LIMIT 1`,
  );
  const done = remaining.rows.length === 0;
  if (done) await updateMission(tx, missionId, { settled: true, settledAt: now });
  return { settledPledges, amount, done };
}

export interface SettlementRun {
  batches: number;
  settledPledges: number;
  amount: number;
}

/**
 * Settles the whole mission, one committed transaction per batch. `onBatch` runs after each
 * commit (used for progress, and by crash tests to stop part-way).
 */
export async function settleMission(
  db: Database,
  missionId: number,
  options: { batchSize?: number; now: () => Date; onBatch?: (batch: BatchResult) => Promise<void> | void },
): Promise<SettlementRun> {
  const run: SettlementRun = { batches: 0, settledPledges: 0, amount: 0 };
  for (;;) {
    const batch = await withRetry(db, (tx) => settleBatch(tx, missionId, options.batchSize ?? DEFAULT_BATCH_SIZE, options.now()));
    run.batches++;
    run.settledPledges += batch.settledPledges;
    run.amount += batch.amount;
    await options.onBatch?.(batch);
    if (batch.done) return run;
    // SKIP LOCKED may return an empty batch while another worker holds rows; give it a moment.
    if (batch.settledPledges === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
