import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRateBudget } from '../../bot/output/index.js';
import { maxInWindow } from '../support/windows.js';


describe('createRateBudget', () => {
  it('allows `limit` sends per window and says when the next one is free', () => {
    const budget = createRateBudget({ windowMs: 30_000, limit: 3 });
    expect([budget.tryTake(0), budget.tryTake(1_000), budget.tryTake(2_000)]).toEqual([true, true, true]);
    expect(budget.tryTake(2_500)).toBe(false);
    expect(budget.available(2_500)).toBe(0);
    expect(budget.nextFreeAt(2_500)).toBe(30_000);
    expect(budget.tryTake(29_999)).toBe(false);
    expect(budget.tryTake(30_000)).toBe(true);
    expect(budget.nextFreeAt(30_000)).toBe(31_000);
  });

  it('slides: only sends older than the window stop counting', () => {
    const budget = createRateBudget({ windowMs: 10, limit: 2 });
    budget.tryTake(0);
    budget.tryTake(9);
    expect(budget.available(10)).toBe(1);
    expect(budget.available(18)).toBe(1);
    expect(budget.available(19)).toBe(2);
  });

  it('raising the limit frees room at once; cutting it waits for old sends to age out', () => {
    const budget = createRateBudget({ windowMs: 100, limit: 2 });
    budget.tryTake(0);
    budget.tryTake(10);
    expect(budget.tryTake(20)).toBe(false);
    budget.setLimit(5);
    expect(budget.tryTake(20)).toBe(true);
    budget.setLimit(1);
    // Three sends in the window against a limit of one: room only once all three expired.
    expect(budget.nextFreeAt(30)).toBe(120);
    expect(budget.tryTake(110)).toBe(false);
    expect(budget.tryTake(119)).toBe(false);
    expect(budget.tryTake(120)).toBe(true);
    expect(() => budget.setLimit(0)).toThrow(RangeError);
  });

  it('property: accepted sends never exceed the limit in any window, and nextFreeAt is honest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 25 }), (gaps, limit) => {
        const budget = createRateBudget({ windowMs: 30_000, limit });
        const accepted: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          const freeAt = budget.nextFreeAt(now);
          const took = budget.tryTake(now);
          expect(took).toBe(freeAt === now);
          if (!took) {
            // Wait as told, then the send must go through.
            now = freeAt;
            expect(budget.tryTake(now)).toBe(true);
          }
          accepted.push(now);
        }
        expect(maxInWindow(accepted, 30_000)).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 200 },
    );
  });
});
