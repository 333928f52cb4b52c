/**
 * One bad pledge must not fail its neighbours: pledges commit in batches, and a batch whose
 * transaction Postgres refuses because of one item (a NUL in a display name, a value out of range)
 * used to fail every caller in it. A refused batch is split in halves, each committed on its own,
 * down to the single item that fails, which alone gets the error: about 2·log2(n) more
 * transactions for one bad item among n, in arrival order (the first half commits before the second
 * is decided, so running balances are spent in the order the pledges came).
 *
 * Only a transaction the server refused is split: then nothing of it committed, and the parts are
 * new transactions that decide every item afresh (idempotency keys included), so no pledge counts
 * twice. A lost connection or a shut-down server could have committed before the answer was lost,
 * and is not item-specific anyway: those fail the whole batch as before.
 */
import { pgErrorField } from './transaction.js';

/** SQLSTATE of `err` (or of its causes), if the server sent one; a driver's errno code is passed over. */
const sqlState = (err: unknown): string | undefined => pgErrorField(err, 'code', (code) => /^[0-9A-Z]{5}$/.test(code));

/**
 * Whether the server refused the transaction over what it was given: a data exception (22: NUL
 * bytes, bad encodings, out-of-range numbers), a constraint (23), a limit such as a string too long
 * (54), a check raised by the statements themselves (P0), or a statement behind one of those (25P02:
 * the transaction was already aborted).
 */
export function refusedOverData(err: unknown): boolean {
  const code = sqlState(err);
  if (code === undefined) return false;
  return code === '25P02' || ['22', '23', '54', 'P0'].includes(code.slice(0, 2));
}

export interface SplitOptions<T, R> {
  /** Commits `part` in one transaction, or throws. */
  commit(part: readonly T[]): Promise<R>;
  /** After `part` committed. */
  committed(part: readonly T[], result: R, ms: number): Promise<void>;
  /** `part` failed with `err` and is not split further. */
  failed(part: readonly T[], err: unknown, ms: number): void;
  /** Each transaction that failed (also those then split). */
  attemptFailed?(part: readonly T[], err: unknown, ms: number): void;
  /** Transactions a batch may take beyond its first. Beyond them the rest fail with their error. */
  maxRetries: number;
}

/**
 * Commits `items`; on a refusal over data, the halves in turn, down to single items. Returns the
 * transactions it took.
 */
export async function commitSplitting<T, R>(items: readonly T[], options: SplitOptions<T, R>): Promise<number> {
  let retriesLeft = options.maxRetries;
  const run = async (part: readonly T[]): Promise<void> => {
    const started = performance.now();
    let result: R;
    try {
      result = await options.commit(part);
    } catch (err) {
      const ms = performance.now() - started;
      if (part.length > 1 && retriesLeft >= 2 && refusedOverData(err)) {
        options.attemptFailed?.(part, err, ms);
        retriesLeft -= 2;
        const half = Math.ceil(part.length / 2);
        await run(part.slice(0, half));
        await run(part.slice(half));
      } else {
        options.failed(part, err, ms);
      }
      return;
    }
    await options.committed(part, result, performance.now() - started);
  };
  await run(items);
  return 1 + options.maxRetries - retriesLeft;
}
