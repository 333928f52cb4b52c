/**
 * A per-mission read for the board feed that never holds a frame back: the first read of a
 * mission waits for the database, later ones answer at once with the last value and refresh it
 * in the background once it is older than `maxAgeMs`. A storm's frames (ten a second per mission)
 * would otherwise each wait for a query, fall behind the coalescer's tick and leave back to back.
 */
export interface StaleWhileRefreshing<T> {
  get(login: string, number: number): Promise<T>;
  /** Drops a mission's value (its verdict: nothing will ask again). */
  forget(login: string, number: number): void;
}

interface Entry<T> {
  value: Promise<T>;
  at: number;
  refreshing: boolean;
}

/** Missions remembered at most; the oldest are dropped first. */
const MAX_ENTRIES = 2_000;

export function createStaleWhileRefreshing<T>(
  load: (login: string, number: number) => Promise<T>,
  maxAgeMs: number,
  now: () => number = Date.now,
): StaleWhileRefreshing<T> {
  const entries = new Map<string, Entry<T>>();
  const keyOf = (login: string, number: number) => `${login}\u0000${number}`;

  const refresh = (key: string, entry: Entry<T>, login: string, number: number): void => {
    entry.refreshing = true;
    load(login, number).then(
      (value) => {
        if (entries.get(key) !== entry) return;
        entry.value = Promise.resolve(value);
        entry.at = now();
        entry.refreshing = false;
      },
      () => {
        // Keep serving the last good value; the next read tries again.
        entry.refreshing = false;
      },
    );
  };

  return {
    get(login, number) {
      const key = keyOf(login, number);
      const entry = entries.get(key);
      if (entry === undefined) {
        const value = load(login, number);
        const created: Entry<T> = { value, at: now(), refreshing: false };
        entries.set(key, created);
        // A failed first read is not remembered: the next frame asks the database again.
        value.catch(() => {
          if (entries.get(key) === created) entries.delete(key);
        });
        if (entries.size > MAX_ENTRIES) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
        return value;
      }
      if (!entry.refreshing && now() - entry.at >= maxAgeMs) refresh(key, entry, login, number);
      return entry.value;
    },
    forget(login, number) {
      entries.delete(keyOf(login, number));
    },
  };
}
