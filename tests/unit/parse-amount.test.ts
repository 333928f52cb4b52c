import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT, parseAmount, resolveAmount, toAmountInput, type AmountSpec } from '../../server/domain/grammar/amount.js';

const abs = (value: number): AmountSpec => ({ kind: 'absolute', value });

describe('parseAmount', () => {
  it.each([
    ['500', abs(500)],
    ['1', abs(1)],
    ['007', abs(7)],
    ['1,000', abs(1000)],
    ['12,345,678', abs(12_345_678)],
    ['1k', abs(1000)],
    ['1K', abs(1000)],
    ['2.5k', abs(2500)],
    ['1.234k', abs(1234)],
    ['1.50k', abs(1500)],
    ['1,000k', abs(1_000_000)],
    ['1m', abs(1_000_000)],
    ['1.5M', abs(1_500_000)],
    ['5천', abs(5000)],
    ['1만', abs(10_000)],
    ['2.5만', abs(25_000)],
    ['1000000000000', abs(MAX_AMOUNT)],
    ['1,000,000m', abs(MAX_AMOUNT)],
    ['all', { kind: 'all' }],
    ['ALL', { kind: 'all' }],
    ['allin', { kind: 'all' }],
    ['전부', { kind: 'all' }],
    ['올인', { kind: 'all' }],
    ['half', { kind: 'half' }],
    ['Half', { kind: 'half' }],
    ['반', { kind: 'half' }],
    ['절반', { kind: 'half' }],
    ['50%', { kind: 'percent', percent: 50 }],
    ['1%', { kind: 'percent', percent: 1 }],
    ['100%', { kind: 'percent', percent: 100 }],
  ])('%s', (token, expected) => {
    expect(parseAmount(token)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'AMOUNT_MISSING'],
    ['1.5', 'AMOUNT_NOT_INTEGER'],
    ['100.0', 'AMOUNT_NOT_INTEGER'],
    ['1.2345k', 'AMOUNT_NOT_WHOLE'],
    ['0.0001k', 'AMOUNT_NOT_WHOLE'],
    ['0', 'AMOUNT_ZERO'],
    ['000', 'AMOUNT_ZERO'],
    ['0k', 'AMOUNT_ZERO'],
    ['0.0m', 'AMOUNT_ZERO'],
    ['-5', 'AMOUNT_NEGATIVE'],
    ['-1k', 'AMOUNT_NEGATIVE'],
    ['-50%', 'AMOUNT_NEGATIVE'],
    ['1000000000001', 'AMOUNT_TOO_LARGE'],
    ['1,000,001m', 'AMOUNT_TOO_LARGE'],
    ['9'.repeat(400), 'AMOUNT_TOO_LARGE'],
    ['0%', 'PERCENT_OUT_OF_RANGE'],
    ['101%', 'PERCENT_OUT_OF_RANGE'],
    ['12.5%', 'PERCENT_OUT_OF_RANGE'],
    ['0x10', 'AMOUNT_INVALID'],
    ['1e3', 'AMOUNT_INVALID'],
    ['1E3', 'AMOUNT_INVALID'],
    ['NaN', 'AMOUNT_INVALID'],
    ['Infinity', 'AMOUNT_INVALID'],
    ['-Infinity', 'AMOUNT_INVALID'],
    ['1,00', 'AMOUNT_INVALID'],
    ['1,0000', 'AMOUNT_INVALID'],
    [',100', 'AMOUNT_INVALID'],
    ['.5k', 'AMOUNT_INVALID'],
    ['1.', 'AMOUNT_INVALID'],
    ['+5', 'AMOUNT_INVALID'],
    ['5kk', 'AMOUNT_INVALID'],
    ['1b', 'AMOUNT_INVALID'],
    ['1_000', 'AMOUNT_INVALID'],
    ['١٠٠', 'AMOUNT_INVALID'],
    ['１００', 'AMOUNT_INVALID'],
    ['all%', 'AMOUNT_INVALID'],
    ['-', 'AMOUNT_INVALID'],
    ['abc', 'AMOUNT_INVALID'],
    ['%', 'AMOUNT_INVALID'],
    // Object.prototype names are chat text, not keywords (found by the property test).
    ['__proto__', 'AMOUNT_INVALID'],
    ['constructor', 'AMOUNT_INVALID'],
    ['toString', 'AMOUNT_INVALID'],
  ])('rejects %s with %s', (token, code) => {
    const result = parseAmount(token);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('names the limit and the token in errors', () => {
    expect(parseAmount('2000000000000')).toEqual({
      ok: false,
      error: { code: 'AMOUNT_TOO_LARGE', token: '2000000000000', max: MAX_AMOUNT },
    });
    expect(parseAmount('150%')).toEqual({
      ok: false,
      error: { code: 'PERCENT_OUT_OF_RANGE', token: '150%', min: 1, max: 100 },
    });
  });
});

describe('resolveAmount', () => {
  it.each([
    [abs(250), 1000, 250],
    [abs(5000), 1000, 5000],
    [{ kind: 'all' } as const, 1234, 1234],
    [{ kind: 'half' } as const, 1235, 617],
    [{ kind: 'half' } as const, 1, 0],
    [{ kind: 'percent', percent: 33 } as const, 1000, 330],
    [{ kind: 'percent', percent: 33 } as const, 10, 3],
    [{ kind: 'percent', percent: 100 } as const, 777, 777],
    [{ kind: 'all' } as const, 0, 0],
    [{ kind: 'all' } as const, -5, 0],
  ])('%j of %d → %d', (spec, balance, expected) => {
    expect(resolveAmount(spec, balance)).toBe(expected);
  });

  it('is exact for balances where balance * percent passes 2^53', () => {
    const balance = Number.MAX_SAFE_INTEGER;
    expect(resolveAmount({ kind: 'percent', percent: 99 }, balance)).toBe(
      Number((BigInt(balance) * 99n) / 100n),
    );
  });
});

describe('toAmountInput', () => {
  it('keeps absolute amounts as numbers and relative ones relative', () => {
    const input = (token: string) => {
      const parsed = parseAmount(token);
      if (!parsed.ok) throw new Error(token);
      return toAmountInput(parsed.value);
    };
    expect(input('1.5k')).toBe(1_500);
    expect(input('all')).toEqual({ kind: 'all' });
    expect(input('half')).toEqual({ kind: 'half' });
    expect(input('25%')).toEqual({ kind: 'percent', percent: 25 });
  });
});
