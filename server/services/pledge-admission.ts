/**
 * Time-based admission for the pledge batcher: a pledge is accepted only if the work already
 * accepted would commit within `maxWaitMs` at the pace the batches are going. A count bound alone
 * (20,000 queued) was 5–10 s of work under overload, so every accepted pledge waited seconds;
 * bounding the wait keeps accepted pledges fast and refuses the excess at once. Pure: the caller
 * passes what it measured.
 *
 * The pace is the batches' own (pledges per ms of batch time, times the writers), not the recent
 * commit rate: the commit rate only follows demand, so at the start of a storm it lagged far
 * behind what the batches did (281/s estimated while they committed ~5,000/s) and refused 2,127
 * pledges in the first half second of a bench storm. Before the first batch has finished there is
 * no pace, and only `minQueued` are admitted: admitting freely then let 6,815 pledges in ahead of a
 * fresh process's slow first batches (caches and JIT cold: 100–280 ms for 500 pledges, ~40 ms
 * warm), which then waited up to a second.
 */

export interface AdmissionOptions {
  /** Longest estimated wait (accepted / pace) at which a pledge is still accepted. Default 1,000 ms. */
  maxWaitMs?: number;
  /** Always admitted up to this many accepted pledges, so a cold or idle batcher can start. Default 1,000. */
  minQueued?: number;
  /** Batches in flight at once. Default 1. */
  writers?: number;
  /** Weight each earlier batch keeps when a new one is recorded. Default 0.8. */
  memory?: number;
}

export interface Admission {
  /**
   * Whether one more pledge may join the `accepted` already waiting or in flight. `oldestBatchMs`:
   * how long the oldest batch in flight has been running (0 when none): past `maxWaitMs` the
   * database is stalled and the pace is no guide, so only `minQueued` are admitted.
   */
  admits(accepted: number, oldestBatchMs: number): boolean;
  /** A batch of `count` pledges finished (committed or decided) after `ms` of work. */
  recordBatch(count: number, ms: number): void;
  /** Estimated pledges per second with every writer busy (0 before the first batch). */
  pace(): number;
}

export function createAdmission(options: AdmissionOptions = {}): Admission {
  const maxWaitMs = options.maxWaitMs ?? 1_000;
  const minQueued = options.minQueued ?? 1_000;
  const writers = options.writers ?? 1;
  const memory = options.memory ?? 0.8;
  // Decayed sums over recent batches: weighted by size, so a storm's large batches outweigh the
  // small ones of a quiet channel (whose fixed cost per batch understates the pace).
  let pledges = 0;
  let busyMs = 0;

  const perMs = (): number => (busyMs > 0 ? (pledges / busyMs) * writers : 0);

  return {
    admits(accepted, oldestBatchMs) {
      if (accepted < minQueued) return true;
      if (oldestBatchMs > maxWaitMs) return false;
      return accepted < perMs() * maxWaitMs;
    },
    recordBatch(count, ms) {
      pledges = pledges * memory + count;
      busyMs = busyMs * memory + Math.max(ms, 0.1);
    },
    pace: () => perMs() * 1_000,
  };
}
