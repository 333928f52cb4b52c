import { fail, ok, type Result } from './result.js';

/**
 * Amount grammar: `500`, `1,000`, `1k`, `2.5k`, `1m`, `1.5M`, Korean `5천`, `1만`,
 * `all`/`allin`/`전부`/`올인`, `half`/`반`/`절반`, `50%`. Case-insensitive.
 * `m` means million here; in a `!mission` proposal a trailing `1m` is read as a duration first
 * (see command.ts).
 */
export type AmountSpec =
  | { readonly kind: 'absolute'; readonly value: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'half' }
  | { readonly kind: 'percent'; readonly percent: number };

/** The largest amount anyone can type: one trillion. */
export const MAX_AMOUNT = 1_000_000_000_000;

export const AMOUNT_KEYWORDS: Readonly<Record<string, 'all' | 'half'>> = {
  all: 'all',
  allin: 'all',
  'all-in': 'all',
  전부: 'all',
  올인: 'all',
  half: 'half',
  반: 'half',
  절반: 'half',
};

const SUFFIX_MULTIPLIER: Readonly<Record<string, bigint>> = {
  '': 1n,
  k: 1_000n,
  m: 1_000_000n,
  천: 1_000n,
  만: 10_000n,
};

// Either plain digits or correctly grouped thousands; an optional fraction; an optional suffix.
const NUMBER_RE = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d+))?(k|m|천|만)?$/;
const PERCENT_RE = /^(\d+(?:\.\d+)?)%$/;
// Digits beyond this cannot be below MAX_AMOUNT even with a fraction, so skip the BigInt work.
const MAX_INT_DIGITS = 16;

/** Parses one chat token into an amount; never throws. */
export function parseAmount(token: string): Result<AmountSpec> {
  const t = token.trim().toLowerCase();
  if (t === '') return fail('AMOUNT_MISSING');
  // Own keys only: chat text like "__proto__" or "constructor" must not reach Object.prototype.
  const keyword = Object.hasOwn(AMOUNT_KEYWORDS, t) ? AMOUNT_KEYWORDS[t] : undefined;
  if (keyword !== undefined) return ok({ kind: keyword });

  const percent = PERCENT_RE.exec(t);
  if (percent) {
    const value = Number(percent[1]);
    if (!Number.isInteger(value) || value < 1 || value > 100) {
      return fail('PERCENT_OUT_OF_RANGE', { token, min: 1, max: 100 });
    }
    return ok({ kind: 'percent', percent: value });
  }

  if (t.startsWith('-') && t.length > 1 && (NUMBER_RE.test(t.slice(1)) || PERCENT_RE.test(t.slice(1)))) {
    return fail('AMOUNT_NEGATIVE', { token });
  }

  const m = NUMBER_RE.exec(t);
  if (!m) return fail('AMOUNT_INVALID', { token });
  const intDigits = (m[1] ?? '').replaceAll(',', '').replace(/^0+/, '');
  const fracDigits = (m[2] ?? '').replace(/0+$/, '');
  const suffix = m[3] ?? '';
  if (suffix === '' && m[2] !== undefined) {
    // Plain numbers are whole points; fractions only make sense with a k/m suffix.
    return fail('AMOUNT_NOT_INTEGER', { token });
  }
  if (intDigits.length > MAX_INT_DIGITS) return fail('AMOUNT_TOO_LARGE', { token, max: MAX_AMOUNT });

  // Exact decimal arithmetic: 2.5k = 25 * 1000 / 10.
  const multiplier = SUFFIX_MULTIPLIER[suffix] ?? 1n;
  const scaled = BigInt((intDigits || '0') + fracDigits) * multiplier;
  const divisor = 10n ** BigInt(fracDigits.length);
  if (scaled === 0n) return fail('AMOUNT_ZERO', { token });
  if (scaled % divisor !== 0n) return fail('AMOUNT_NOT_WHOLE', { token });
  const value = scaled / divisor;
  if (value > BigInt(MAX_AMOUNT)) return fail('AMOUNT_TOO_LARGE', { token, max: MAX_AMOUNT });
  return ok({ kind: 'absolute', value: Number(value) });
}

/**
 * Turns a spec into points for a viewer with `balance` points: `all` → balance,
 * `half` → floor(balance / 2), `n%` → floor(balance * n / 100). May return 0; the ledger
 * then answers with a domain error (insufficient funds, stake too low).
 */
export function resolveAmount(spec: AmountSpec, balance: number): number {
  const whole = Number.isFinite(balance) && balance > 0 ? Math.floor(balance) : 0;
  switch (spec.kind) {
    case 'absolute':
      return spec.value;
    case 'all':
      return whole;
    case 'half':
      return Math.floor(whole / 2);
    case 'percent':
      // BigInt keeps it exact for balances where balance * percent passes 2^53.
      return Number((BigInt(whole) * BigInt(spec.percent)) / 100n);
  }
}

/** An absolute amount, or one relative to the wallet's balance (resolved under the wallet lock). */
export type AmountInput = number | { kind: 'all' } | { kind: 'half' } | { kind: 'percent'; percent: number };

/** A parsed amount as the mission service takes it: relative ones stay relative until the wallet is locked. */
export function toAmountInput(spec: AmountSpec): AmountInput {
  switch (spec.kind) {
    case 'absolute':
      return spec.value;
    case 'all':
      return { kind: 'all' };
    case 'half':
      return { kind: 'half' };
    case 'percent':
      return { kind: 'percent', percent: spec.percent };
  }
}
