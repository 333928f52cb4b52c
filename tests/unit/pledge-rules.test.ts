import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, MAX_WALLET_BALANCE } from '../../server/domain/bounds.js';
import type { DomainErrorCode } from '../../server/domain/errors.js';
import { decidePledge, type AmountInput, type PledgeDecision } from '../../server/domain/pledge-rules.js';

const RUNS = { numRuns: 500 };
const open = { minStake: 10, maxPledge: null };

const codeOf = (d: PledgeDecision): DomainErrorCode | 'ok' => (d.ok ? 'ok' : d.error.code);

describe('decidePledge: examples', () => {
  it.each<[AmountInput, number, number]>([
    [{ kind: 'all' }, 1_000, 1_000],
    [{ kind: 'half' }, 1_001, 500],
    [{ kind: 'percent', percent: 33 }, 1_000, 330],
    [{ kind: 'percent', percent: 33 }, 99, 32],
    [{ kind: 'percent', percent: 100 }, 77, 77],
    [250, 1_000, 250],
  ])('%j against %i takes %i and leaves the rest', (amount, balance, taken) => {
    expect(decidePledge(amount, balance, open)).toEqual({ ok: true, amount: taken, balance: balance - taken });
  });

  it('refuses an amount the wallet does not cover, naming the balance and the amount', () => {
    const d = decidePledge(500, 40, open);
    expect(d.ok).toBe(false);
    if (!d.ok) expect([d.error.code, d.error.params]).toEqual(['INSUFFICIENT_FUNDS', { balance: 40, needed: 500 }]);
  });

  it('refuses a relative amount of an empty wallet as a lack of funds against the minimum stake', () => {
    const d = decidePledge({ kind: 'half' }, 1, open);
    expect(d.ok).toBe(false);
    if (!d.ok) expect([d.error.code, d.error.params]).toEqual(['INSUFFICIENT_FUNDS', { balance: 1, needed: 10 }]);
  });

  it('refuses below the minimum stake and above the maximum pledge, before looking at the funds', () => {
    expect(codeOf(decidePledge(5, 0, open))).toBe('STAKE_TOO_LOW');
    expect(codeOf(decidePledge({ kind: 'percent', percent: 1 }, 500, open))).toBe('STAKE_TOO_LOW');
    expect(codeOf(decidePledge(600, 0, { minStake: 10, maxPledge: 500 }))).toBe('PLEDGE_TOO_HIGH');
    expect(codeOf(decidePledge({ kind: 'all' }, 900, { minStake: 10, maxPledge: 500 }))).toBe('PLEDGE_TOO_HIGH');
  });

  it('refuses an absolute amount that is not a whole number in 1..MAX_AMOUNT as bad input', () => {
    for (const amount of [0, -5, 2.5, MAX_AMOUNT + 1, Number.NaN]) {
      expect(codeOf(decidePledge(amount, MAX_WALLET_BALANCE, open))).toBe('VALIDATION');
    }
    expect(decidePledge(MAX_AMOUNT, MAX_WALLET_BALANCE, open)).toEqual({ ok: true, amount: MAX_AMOUNT, balance: 0 });
  });
});

const balanceArb = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: MAX_WALLET_BALANCE }));
const amountArb: fc.Arbitrary<AmountInput> = fc.oneof(
  fc.integer({ min: -10, max: MAX_AMOUNT + 10 }),
  fc.constant({ kind: 'all' as const }),
  fc.constant({ kind: 'half' as const }),
  fc.integer({ min: 1, max: 100 }).map((percent) => ({ kind: 'percent' as const, percent })),
);
const settingsArb = fc
  .record({ minStake: fc.integer({ min: 1, max: 10_000 }), extra: fc.option(fc.integer({ min: 0, max: 1_000_000 })) })
  .map(({ minStake, extra }) => ({ minStake, maxPledge: extra === null ? null : minStake + extra }));

const near = (n: number) => fc.integer({ min: -2, max: 2 }).map((d) => n + d);
/** Amounts anywhere, and amounts at the edges each rule draws: the balance, minStake, maxPledge. */
const caseArb = fc.tuple(balanceArb, settingsArb).chain(([balance, settings]) =>
  fc
    .oneof(amountArb, near(balance), near(settings.minStake), near(settings.maxPledge ?? MAX_AMOUNT))
    .map((amount) => ({ amount, balance, settings })),
);

/** What the grammar promises each amount resolves to against a balance. */
function documented(amount: AmountInput, balance: number): number {
  if (typeof amount === 'number') return amount;
  if (amount.kind === 'all') return balance;
  if (amount.kind === 'half') return Math.floor(balance / 2);
  return Math.floor((balance * amount.percent) / 100);
}

describe('decidePledge: properties', () => {
  it('an accepted pledge is the documented amount, within minStake..maxPledge, covered by the balance, which keeps the rest', () => {
    fc.assert(
      fc.property(caseArb, ({ amount, balance, settings }) => {
        const d = decidePledge(amount, balance, settings);
        if (!d.ok) return;
        expect(d.amount).toBe(documented(amount, balance));
        expect(d.amount).toBeGreaterThanOrEqual(settings.minStake);
        if (settings.maxPledge !== null) expect(d.amount).toBeLessThanOrEqual(settings.maxPledge);
        expect(d.amount).toBeLessThanOrEqual(balance);
        expect(d.balance).toBe(balance - d.amount);
        expect(d.balance).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('every refusal carries the error of the first rule the pledge breaks', () => {
    fc.assert(
      fc.property(caseArb, ({ amount, balance, settings }) => {
        const resolved = documented(amount, balance);
        const expected: DomainErrorCode | 'ok' =
          !Number.isSafeInteger(resolved) || resolved <= 0 || resolved > MAX_AMOUNT
            ? typeof amount === 'number'
              ? 'VALIDATION'
              : 'INSUFFICIENT_FUNDS'
            : resolved < settings.minStake
              ? 'STAKE_TOO_LOW'
              : settings.maxPledge !== null && resolved > settings.maxPledge
                ? 'PLEDGE_TOO_HIGH'
                : resolved > balance
                  ? 'INSUFFICIENT_FUNDS'
                  : 'ok';
        expect(codeOf(decidePledge(amount, balance, settings))).toBe(expected);
      }),
      RUNS,
    );
  });

  it('a run of pledges decided against the running balance never takes more than the wallet held', () => {
    fc.assert(
      fc.property(fc.array(amountArb, { maxLength: 40 }), fc.integer({ min: 0, max: 100_000 }), settingsArb, (amounts, start, settings) => {
        let balance = start;
        let taken = 0;
        for (const amount of amounts) {
          const d = decidePledge(amount, balance, settings);
          if (!d.ok) continue;
          taken += d.amount;
          balance = d.balance;
        }
        expect(balance).toBeGreaterThanOrEqual(0);
        expect(taken + balance).toBe(start);
      }),
      RUNS,
    );
  });
});
