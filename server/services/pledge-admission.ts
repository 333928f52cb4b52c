/**
 * Time-based admission for the pledge batcher: a pledge is accepted only if the work already
 * accepted would commit within `maxWaitMs` at the recent commit rate. A count bound alone
 * (20,000 queued) was 5–10 s of work under overload, so every accepted pledge waited seconds;
 * bounding the wait keeps accepted pledges fast and refuses the excess at once. Pure: the caller
 * passes monotonic milliseconds.
 */

export interface AdmissionOptions {
  /** Longest estimated wait (accepted / commit rate) at which a pledge is still accepted. Default 1,000 ms. */
  maxWaitMs?: number;
  /** Always admitted up to this many accepted pledges, so a cold or idle batcher can start. Default 1,000. */
  minQueued?: number;
  /** Time constant of the commit-rate average. Default 1,000 ms. */
  tauMs?: number;
}

export interface Admission {
  /** Whether one more pledge may join the `accepted` already waiting or in flight. */
  admits(accepted: number, now: number): boolean;
  /** A batch of `count` pledges finished (committed or decided) at `now`. */
  recordCommit(count: number, now: number): void;
  /** Recent commits per second. */
  rate(now: number): number;
}

/**
 * Commit rate as an exponentially decayed count: each commit adds `count / tau`, and the sum
 * decays by e^(-dt/tau), so a steady r pledges/s converges to r and an idle batcher decays to 0.
 */
export function createAdmission(options: AdmissionOptions = {}): Admission {
  const maxWaitMs = options.maxWaitMs ?? 1_000;
  const minQueued = options.minQueued ?? 1_000;
  const tauMs = options.tauMs ?? 1_000;
  let ratePerMs = 0;
  let last = Number.NEGATIVE_INFINITY;

  const decayed = (now: number): number => (now <= last ? ratePerMs : ratePerMs * Math.exp(-(now - last) / tauMs));

  return {
    admits(accepted, now) {
      if (accepted < minQueued) return true;
      return accepted < decayed(now) * maxWaitMs;
    },
    recordCommit(count, now) {
      ratePerMs = decayed(now) + count / tauMs;
      last = Math.max(last, now);
    },
    rate: (now) => decayed(now) * 1_000,
  };
}
