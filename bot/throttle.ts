/**
 * Per-user command cooldown and redelivery filter. In-memory and per process: the database's
 * idempotency keys are what guarantee one effect per message; these only keep one spammy user
 * or a redelivered line from costing queries and replies.
 */

export interface UserCooldown {
  /** True (and the use recorded) when `key` may run a command at `now`. */
  tryUse(key: string, now: number): boolean;
}

/** A fixed cooldown per key. Old entries are pruned as the map grows. */
export function createUserCooldown(cooldownMs: number, maxEntries = 50_000): UserCooldown {
  const lastUse = new Map<string, number>();
  return {
    tryUse(key, now) {
      if (cooldownMs <= 0) return true;
      const last = lastUse.get(key);
      if (last !== undefined && now - last < cooldownMs) return false;
      lastUse.delete(key);
      lastUse.set(key, now);
      if (lastUse.size > maxEntries) {
        // Map iteration is insertion order, and a use re-inserts: the first keys are the oldest.
        for (const [k, at] of lastUse) {
          if (now - at < cooldownMs) break;
          lastUse.delete(k);
        }
      }
      return true;
    },
  };
}

export interface SeenIds {
  /** True the first time an id is seen (among the last `capacity`). */
  firstTime(id: string): boolean;
}

/**
 * The last `capacity` ids in a ring, with a set for lookups. (Evicting with `set.values().next()`
 * was 3 % of the bot's CPU at 10,000 lines/s: a set's iterator walks over the holes its deleted
 * entries leave until the table is rehashed.)
 */
export function createSeenIds(capacity = 10_000): SeenIds {
  const seen = new Set<string>();
  const ring: (string | undefined)[] = new Array<string | undefined>(capacity);
  let next = 0;
  return {
    firstTime(id) {
      if (seen.has(id)) return false;
      const evicted = ring[next];
      if (evicted !== undefined) seen.delete(evicted);
      ring[next] = id;
      next = (next + 1) % capacity;
      seen.add(id);
      return true;
    },
  };
}

/**
 * Runs tasks with at most `limit` in flight overall and one at a time per key, in arrival order
 * per key: a moderator's "approve 4" then "success 4" must not race each other.
 */
export interface TaskQueue {
  run(key: string, task: () => Promise<void>): void;
  /** Resolves when everything queued so far has finished. */
  idle(): Promise<void>;
}

export function createTaskQueue(limit: number): TaskQueue {
  const tails = new Map<string, Promise<void>>();
  let active = 0;
  const waiting: (() => void)[] = [];
  let pending = 0;
  let idleWaiters: (() => void)[] = [];

  const acquire = (): Promise<void> => {
    if (active < limit) {
      active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  return {
    run(key, task) {
      pending++;
      const previous = tails.get(key) ?? Promise.resolve();
      const done = previous
        .then(acquire)
        .then(async () => {
          try {
            await task();
          } finally {
            release();
          }
        })
        .catch(() => undefined)
        .finally(() => {
          if (tails.get(key) === done) tails.delete(key);
          pending--;
          if (pending === 0) {
            const waiters = idleWaiters;
            idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
        });
      tails.set(key, done);
    },
    idle() {
      return pending === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
