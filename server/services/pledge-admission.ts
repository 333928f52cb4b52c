/**
 * Admission for the pledge batcher: a pledge is refused only when the backlog (pledges accepted and
 * not yet committed, this one included) could not commit within `maxWaitMs` at the capacity the
 * batches have shown, and is above a floor that even a cold process commits in time. Pure: the
 * caller passes what it measured.
 *
 * Capacity is the batches' own, projected to the batch size the backlog will run at: a batch costs
 * a fixed part (round trips, locks, the event loop) plus a part per pledge, fitted over recent
 * batches. Dividing recent pledges by recent batch time instead (the pace at the sizes seen) read
 * the small batches of a storm's first second as the capacity: 25 pledges in 6 ms is 4 per ms, a
 * full batch of 500 runs at 12 or more. With that, and a floor of two batches per writer (2,000)
 * before the first batch finished, a 5,000 lines/s storm that the service kept up with (its last
 * pledge committed 0.2 s after the last line) had 714 of 20,000 refused, and a 5,000-line burst on
 * a freshly started process up to 3,000.
 *
 * The floor is what the writers commit within `maxWaitMs` at `coldBatchMs` per full batch: the
 * first batches of a freshly started process (JIT, plan and catalog caches cold) took 108-149 ms
 * for 500 pledges here, against 25-60 ms warm. Below it a pledge is admitted whatever was measured,
 * so a cold or idle batcher (nothing measured yet) takes a burst it can commit, and a database
 * that is slow or stalled holds at most that many pledges waiting.
 */

export interface AdmissionOptions {
  /** Longest estimated time for the backlog to commit at which a pledge is still accepted. Default 1,000 ms. */
  maxWaitMs?: number;
  /** Batch transactions in flight at once. Default 1. */
  writers?: number;
  /** Pledges per batch at most. Default 500. */
  maxBatch?: number;
  /** Time of a full batch assumed for the floor (a cold process's). Default 200 ms. */
  coldBatchMs?: number;
  /** Weight each earlier batch keeps when a new one is recorded. Default 0.9. */
  memory?: number;
}

export interface Admission {
  /**
   * Whether one more pledge may join the `accepted` already waiting or in flight. `oldestBatchMs`:
   * how long the oldest batch in flight has been running (0 when none): past `maxWaitMs` the
   * database is stalled and what was measured is no guide, so only the floor is admitted.
   */
  admits(accepted: number, oldestBatchMs: number): boolean;
  /** A batch of `count` pledges finished (committed or decided) after `ms` of work. */
  recordBatch(count: number, ms: number): void;
  /** Estimated ms for `queued` pledges to commit, spread over the writers in full batches. */
  drainMs(queued: number): number;
  /** Pledges admitted whatever was measured. */
  floor(): number;
  /** Estimated pledges per second with every writer running full batches (0 before the first batch). */
  pace(): number;
}

export function createAdmission(options: AdmissionOptions = {}): Admission {
  const maxWaitMs = options.maxWaitMs ?? 1_000;
  const writers = options.writers ?? 1;
  const maxBatch = options.maxBatch ?? 500;
  const coldBatchMs = options.coldBatchMs ?? 200;
  const memory = options.memory ?? 0.9;
  const floorCount = Math.floor((writers * maxBatch * maxWaitMs) / coldBatchMs);
  // Decayed sums over recent batches (size n, time t) for a least-squares line t = fixed + perPledge·n.
  let s0 = 0;
  let sn = 0;
  let st = 0;
  let snn = 0;
  let snt = 0;

  /** Fitted time of a batch of `n`; null before the first batch. */
  function batchMs(n: number): number | null {
    if (s0 === 0) return null;
    const meanN = sn / s0;
    const meanT = st / s0;
    const varN = snn / s0 - meanN * meanN;
    const proportional = meanT / meanN;
    // Sizes too alike to separate the fixed part: charge it per pledge (exact at the size seen,
    // pessimistic for larger batches). Otherwise the slope, kept between "all fixed" and "all per
    // pledge", so noise never makes a larger batch cheaper than the ones seen.
    const slope = varN > (0.1 * meanN) ** 2 ? (snt / s0 - meanN * meanT) / varN : proportional;
    const perPledge = Math.min(Math.max(slope, 0), proportional);
    return meanT + perPledge * (n - meanN);
  }

  function drainMs(queued: number): number {
    if (queued <= 0) return 0;
    const perWriter = Math.ceil(queued / writers);
    const full = Math.floor(perWriter / maxBatch);
    const rest = perWriter - full * maxBatch;
    const t = (n: number) => batchMs(n) ?? (coldBatchMs * n) / maxBatch;
    return full * t(maxBatch) + (rest > 0 ? t(rest) : 0);
  }

  return {
    admits(accepted, oldestBatchMs) {
      if (accepted < floorCount) return true;
      if (oldestBatchMs > maxWaitMs || s0 === 0) return false;
      return drainMs(accepted + 1) <= maxWaitMs;
    },
    recordBatch(count, ms) {
      const n = Math.max(count, 1);
      const t = Math.max(ms, 0.1);
      s0 = s0 * memory + 1;
      sn = sn * memory + n;
      st = st * memory + t;
      snn = snn * memory + n * n;
      snt = snt * memory + n * t;
    },
    drainMs,
    floor: () => floorCount,
    pace() {
      const t = batchMs(maxBatch);
      return t === null ? 0 : (writers * maxBatch * 1_000) / t;
    },
  };
}
