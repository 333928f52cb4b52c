import { describe, expect, it } from 'vitest';
import { commitSplitting, refusedOverData } from '../../server/services/pledge-batch-split.js';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

/** Commits parts that hold no item in `bad`; records every attempt in order. */
function fakeDatabase(bad: ReadonlySet<number>, error: (item: number) => unknown = () => pgError('22021')) {
  const attempts: number[][] = [];
  const committed: number[][] = [];
  const failed: { part: number[]; err: unknown }[] = [];
  const options = {
    commit: async (part: readonly number[]) => {
      attempts.push([...part]);
      const hit = part.find((i) => bad.has(i));
      if (hit !== undefined) throw error(hit);
      return part.length;
    },
    committed: async (part: readonly number[]) => void committed.push([...part]),
    failed: (part: readonly number[], err: unknown) => void failed.push({ part: [...part], err }),
    maxRetries: 40,
  };
  return { attempts, committed, failed, options };
}

describe('refusedOverData', () => {
  it('splits on what the server refused over the data, not on lost connections', () => {
    for (const code of ['22021', '22003', '23514', '23502', '54000', 'P0001', '25P02']) expect(refusedOverData(pgError(code))).toBe(true);
    for (const code of ['57P01', '08006', '53300', '40P01', 'ECONNRESET']) expect(refusedOverData(pgError(code))).toBe(false);
    expect(refusedOverData(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(refusedOverData(Object.assign(new Error('wrapped'), { cause: pgError('22P05') }))).toBe(true);
  });
});

describe('commitSplitting', () => {
  it('one bad item among 20: it alone fails, the rest commit in arrival order in ~2·log2(n) transactions', async () => {
    const db = fakeDatabase(new Set([13]));
    const items = Array.from({ length: 20 }, (_, i) => i);
    const transactions = await commitSplitting(items, db.options);
    expect(db.failed.map((f) => f.part)).toEqual([[13]]);
    expect(db.committed.flat()).toEqual(items.filter((i) => i !== 13));
    expect(transactions).toBe(db.attempts.length);
    expect(transactions).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(20)));
  });

  it('a failure that is not over the data fails the whole batch in one transaction', async () => {
    const db = fakeDatabase(new Set([3]), () => new Error('Connection terminated unexpectedly'));
    expect(await commitSplitting([1, 2, 3, 4], db.options)).toBe(1);
    expect(db.failed.map((f) => f.part)).toEqual([[1, 2, 3, 4]]);
    expect(db.committed).toEqual([]);
  });

  it('stops splitting when the retries are spent: what is left fails with its error', async () => {
    const db = fakeDatabase(new Set(Array.from({ length: 64 }, (_, i) => i)));
    const transactions = await commitSplitting(
      Array.from({ length: 64 }, (_, i) => i),
      { ...db.options, maxRetries: 4 },
    );
    expect(transactions).toBe(5);
    expect(db.failed.flatMap((f) => f.part).sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });
});
