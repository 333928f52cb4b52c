/**
 * Sliding-window send budget.
 *
 * Twitch refills its message buckets on a schedule the client cannot see, so a fixed window
 * on our side could straddle a refill and let through twice the limit. A sliding window —
 * "no more than `limit` sends in ANY `windowMs` span" — can never exceed the bucket wherever
 * Twitch's refill happens to fall.
 */

/** Twitch's message window. */
export const TWITCH_WINDOW_MS = 30_000;

/**
 * Budgets we actually use, below Twitch's published 20 (ordinary user) and 100 (moderator or
 * broadcaster) per 30 s. Our window is measured when we hand a line to the socket; Twitch
 * measures when it arrives. Latency jitter, a congested socket or a reconnect replaying
 * buffered lines can squeeze messages sent just over 30 s apart into one Twitch window, and
 * anything else on the same account (a human typing as the bot, another tool) draws on the same
 * bucket. The 10 % margin absorbs that; overshooting costs a 30-minute silence.
 */
export const SAFE_USER_LIMIT = 18;
export const SAFE_MODERATOR_LIMIT = 90;

export interface RateBudgetOptions {
  /** Width of the sliding window. Default {@link TWITCH_WINDOW_MS}. */
  windowMs?: number;
  /** Sends allowed in any window. */
  limit: number;
}

export interface RateBudget {
  /** Takes one send if the window has room at `now`; false (and nothing taken) otherwise. */
  tryTake(now: number): boolean;
  /** Sends still allowed at `now`. */
  available(now: number): number;
  /** Earliest time >= `now` at which one send will be allowed. */
  nextFreeAt(now: number): number;
  /** Gives back the send taken at `at` (a line that never left the process). */
  refund(at: number): void;
  /** Changes the limit (e.g. on gaining moderator status); sends already made still count. */
  setLimit(limit: number): void;
  readonly limit: number;
  readonly windowMs: number;
}

/** Creates a sliding-window budget. Pure: callers pass the time; times must not go backwards. */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const windowMs = options.windowMs ?? TWITCH_WINDOW_MS;
  if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
  let limit = checkLimit(options.limit);
  // Send times, oldest first. Bounded by `limit` because expired entries are pruned first.
  const taken: number[] = [];

  const prune = (now: number): void => {
    let expired = 0;
    while (expired < taken.length && (taken[expired] as number) + windowMs <= now) expired++;
    if (expired > 0) taken.splice(0, expired);
  };

  return {
    tryTake(now) {
      prune(now);
      if (taken.length >= limit) return false;
      taken.push(now);
      return true;
    },
    available(now) {
      prune(now);
      return Math.max(0, limit - taken.length);
    },
    nextFreeAt(now) {
      prune(now);
      if (taken.length < limit) return now;
      // After a limit cut there may be more sends in the window than the new limit; room
      // appears once all but limit-1 of them have aged out.
      const blocking = taken[taken.length - limit] as number;
      return Math.max(now, blocking + windowMs);
    },
    refund(at) {
      const index = taken.lastIndexOf(at);
      if (index >= 0) taken.splice(index, 1);
    },
    setLimit(next) {
      limit = checkLimit(next);
    },
    get limit() {
      return limit;
    },
    windowMs,
  };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer >= 1, got ${limit}`);
  return limit;
}
