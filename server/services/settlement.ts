/**
 * Settlement: moves a terminal mission's escrow back to its backers (refund) or to the treasury
 * (payout), in batches. Each batch is one transaction that marks pledges settled, journals them
 * and applies the summed balance deltas: a refund writes one row per pledge (each to its backer's
 * wallet), a payout one escrow → treasury row for the whole batch (one row per pledge was most of
 * a payout's cost). A pledge can be settled only once (`settlement IS NULL` guard, migration
 * 0006's trigger refusing any change to a settled pledge, and the unique index on per-pledge
 * refund rows), so a crash at any point is resumed by simply running the next batch.
 *
 * Big missions are cut into id ranges of `batchSize` unsettled pledges up front (one read, no
 * lock), and the ranges are settled `concurrency` at a time. Every statement is shaped so that its
 * plan does not depend on planner statistics (autovacuum may not have analysed a table filled a
 * minute ago): pledges are found by range on `pledges_mission_idx`, wallets by one probe of
 * `accounts_wallet_uq` per pledge, balances updated by primary key.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor, Database } from '../../db/client.js';
import { settlementFor } from '../domain/mission-rules.js';
import { settleSelected, settlementAccounts } from '../ledger/settlement.js';
import { countUnsettled, findMissionById, updateMission } from '../repositories/missions-repository.js';
import { withRetry } from './transaction.js';

/**
 * Pledges per transaction. At 2,000 every batch of a 100,000-pledge refund stayed under 100 ms on
 * the 2-core bench machine (two in flight); at 4,000 the longest took up to 164 ms.
 */
export const DEFAULT_BATCH_SIZE = 2_000;
/** Batches in flight at once (one connection each): two use both cores of the bench machine; three gained nothing. */
export const DEFAULT_CONCURRENCY = 2;
/** Missions with at most this many unsettled pledges are settled inside the verdict's transaction. */
export const INLINE_SETTLEMENT_LIMIT = 1_000;

export interface BatchResult {
  settledPledges: number;
  amount: number;
  done: boolean;
  /** Wall time of the batch's transaction (retries included), as seen by the caller of `settleMission`. */
  transactionMs?: number;
}

/** Pledge ids `from` (inclusive) up to `to` (exclusive). */
interface PledgeRange {
  from: number;
  to: number;
}

/**
 * Settles up to `limit` pledges of the mission (lowest ids first) inside `tx`, the caller's
 * transaction (the verdict settles small missions in its own). The mission must already be terminal.
 */
export async function settleBatch(tx: Executor, missionId: number, limit: number, now: Date): Promise<BatchResult> {
  return settlePledges(tx, missionId, now, false, firstUnsettled(missionId, limit));
}

/** Which pledges a batch settles, and how the batch learns that the mission is done. */
interface Selection {
  /** Completes `mark` (an `UPDATE pledges p SET ...`) into the statement that settles the batch. */
  update: (mark: SQL) => SQL;
  /**
   * An empty batch means no pledge is left (unless another transaction holds some): worth the
   * scan that confirms it. A range that comes back empty says nothing about the other ranges.
   */
  emptyMeansDone: boolean;
}

/** The first `limit` unsettled pledges by id, skipping locked ones. */
const firstUnsettled = (missionId: number, limit: number): Selection => ({
  emptyMeansDone: true,
  update: (mark) => sql`
    WITH batch AS (
      SELECT id FROM pledges WHERE mission_id = ${missionId} AND settlement IS NULL
      ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED
    )
    ${mark} FROM batch WHERE p.id = batch.id AND p.settlement IS NULL`,
});

/** No pledge: a batch that only checks whether the mission is done, and marks it so. */
const noPledges: Selection = { emptyMeansDone: true, update: (mark) => sql`${mark} WHERE false` };

/**
 * Completes `mark` for the unsettled pledges of an id range, skipping those another transaction
 * holds (a racing settler's batch, or anything else): they are left for a later round.
 */
const inRange = (missionId: number, range: PledgeRange): Selection => ({
  emptyMeansDone: false,
  update: (mark) => sql`
    WITH batch AS (
      SELECT id FROM pledges
      WHERE mission_id = ${missionId} AND id >= ${range.from} AND id < ${range.to} AND settlement IS NULL
      FOR UPDATE SKIP LOCKED
    )
    ${mark} FROM batch WHERE p.id = batch.id AND p.settlement IS NULL`,
});

/**
 * Cuts the mission's unsettled pledges into id ranges of `size` pledges each, in id order. Read
 * without locks: a pledge settled meanwhile is skipped by its batch, and no pledge is added to a
 * terminal mission. Every range is bounded on both sides, so whichever index the planner picks
 * for a batch (the mission's, or the primary key with a filter) reads that range and no more.
 */
async function planRanges(db: Executor, missionId: number, size: number): Promise<PledgeRange[]> {
  const marks = (
    await db.execute(sql`
      SELECT id, n % ${size} = 1 AS starts FROM (
        SELECT id, row_number() OVER w AS n, lead(id) OVER w AS next
        FROM pledges WHERE mission_id = ${missionId} AND settlement IS NULL
        WINDOW w AS (ORDER BY id)
      ) p WHERE n % ${size} = 1 OR next IS NULL ORDER BY id`)
  ).rows as { id: string; starts: boolean }[];
  const last = marks.at(-1);
  if (last === undefined) return [];
  const starts = marks.filter((m) => m.starts).map((m) => Number(m.id));
  return starts.map((from, i) => ({ from, to: starts[i + 1] ?? Number(last.id) + 1 }));
}

/**
 * The batch itself: marks the selected pledges settled, journals them and moves the money, in
 * the caller's transaction (`settleSelected` in server/ledger/settlement.ts writes all three).
 * Locks are taken in a fixed order: the pledges, then the backers'
 * wallets by id, then the mission's escrow and the treasury (`applyDeltas`' order). The rows
 * every batch touches are held only for the last moments of the transaction, so concurrent
 * batches of the same mission overlap almost entirely.
 */
async function settlePledges(
  tx: Executor,
  missionId: number,
  now: Date,
  asyncCommit: boolean,
  selection: Selection,
): Promise<BatchResult> {
  const mission = await settlementAccounts(tx, missionId, asyncCommit);
  const outcome = settlementFor(mission.status);
  if (outcome === null) throw new Error(`mission ${missionId} is ${mission.status}, not terminal`);
  if (mission.settled) return { settledPledges: 0, amount: 0, done: true };
  const { settled, amount, escrowLeft } = await settleSelected(tx, missionId, mission, outcome, selection.update, now);

  // The escrow holds exactly the unsettled pledges (ledger invariant 4); once it is empty, or
  // a batch finds nothing to settle, the pledges themselves confirm that none is left.
  const worthChecking = escrowLeft === 0 || (settled === 0 && selection.emptyMeansDone);
  // A count, not `LIMIT 1`: with statistics saying unsettled pledges abound, `LIMIT 1` is planned
  // as a sequential scan that stops at the first one, and reads every mission's pledges when
  // there is none. The count is planned on the mission's own pledges.
  const done = worthChecking && (await countUnsettled(tx, missionId)) === 0;
  if (done) {
    // The batch that completes the mission commits durably (and with it every batch before it):
    // the job reports success only once nothing of the settlement can be lost any more.
    if (asyncCommit) await tx.execute(sql`SET LOCAL synchronous_commit = on`);
    await updateMission(tx, missionId, { settled: true, settledAt: now });
  }
  return { settledPledges: settled, amount, done };
}

export interface SettlementRun {
  batches: number;
  settledPledges: number;
  amount: number;
}

export interface SettleOptions {
  batchSize?: number;
  /** Batches in flight at once, each in its own transaction and connection. */
  concurrency?: number;
  now: () => Date;
  /** Runs after each committed batch (progress; crash tests stop part-way by throwing). */
  onBatch?: (batch: BatchResult) => Promise<void> | void;
}

/**
 * Settles the whole mission, one committed transaction per batch: plans the id ranges, settles
 * them `concurrency` at a time, and plans again while pledges remain (another settler held some
 * of them, SKIP LOCKED). A failing batch (or `onBatch`) stops the run once the batches in flight
 * have finished, and the error is rethrown; a later run resumes with what is still unsettled.
 */
export async function settleMission(db: Database, missionId: number, options: SettleOptions): Promise<SettlementRun> {
  const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const run: SettlementRun = { batches: 0, settledPledges: 0, amount: 0 };
  const settle = async (work: (tx: Executor) => Promise<BatchResult>): Promise<BatchResult> => {
    const started = performance.now();
    const batch = await withRetry(db, work);
    batch.transactionMs = performance.now() - started;
    run.batches++;
    run.settledPledges += batch.settledPledges;
    run.amount += batch.amount;
    await options.onBatch?.(batch);
    return batch;
  };

  for (;;) {
    const ranges = await planRanges(db, missionId, size);
    // No unsettled pledge left (or the mission is settled already): one batch checks and marks it.
    const batches =
      ranges.length === 0
        ? [await settle((tx) => settlePledges(tx, missionId, options.now(), true, noPledges))]
        : await inParallel(ranges, options.concurrency ?? DEFAULT_CONCURRENCY, (range) =>
            settle((tx) => settlePledges(tx, missionId, options.now(), true, inRange(missionId, range))));
    if (batches.some((b) => b.done)) return run;
    // Another settler holds the rest; give it a moment before looking again.
    if (batches.every((b) => b.settledPledges === 0)) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `task` over `items` with at most `limit` in flight; on a failure, starts no more and rethrows it. */
async function inParallel<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        results.push(await task(item));
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}

/** How a settled mission ended (`paid` or `refunded`), `unknown` when it is not terminal or gone. */
export async function settlementOutcome(db: Executor, missionId: number): Promise<string> {
  const mission = await findMissionById(db, missionId);
  return (mission && settlementFor(mission.status)) ?? 'unknown';
}
