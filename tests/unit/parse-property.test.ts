import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translateParseFailure } from '../../bot/i18n/index.js';
import { formatPoints } from '../../bot/i18n/format.js';
import { COMMAND_ALIASES, MISSION_SUBCOMMAND_ALIASES, POINTS_SUBCOMMAND_ALIASES } from '../../bot/parse/aliases.js';
import { MAX_AMOUNT, parseAmount, resolveAmount, type AmountSpec } from '../../server/domain/grammar/amount.js';
import { COMMAND_NAMES, parseCommand, usageKey, type ParsedCommandResult } from '../../bot/parse/command.js';
import { MAX_DURATION_MS, parseDuration } from '../../server/domain/grammar/duration.js';
import { PARSE_ERROR_CODES } from '../../server/domain/grammar/result.js';
import { MAX_MISSION_NUMBER, MAX_TEXT_LENGTH, parseMissionText } from '../../server/domain/grammar/text.js';
import { isTwitchLogin } from '../../server/domain/twitch-login.js';

const RUNS = { numRuns: 400 };
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}]/u;
const codePoints = (s: string): number => Array.from(s).length;

/** Every invariant a successful or failed parse must satisfy; returns the first violation. */
function violation(result: ParsedCommandResult | null): string | undefined {
  if (result === null) return undefined;
  if (!result.ok) {
    if (!COMMAND_NAMES.includes(result.command)) return `unknown command ${result.command}`;
    if (result.usage !== usageKey(result.command)) return 'usage does not match command';
    if (!PARSE_ERROR_CODES.includes(result.error.code)) return `unknown code ${result.error.code}`;
    return undefined;
  }
  const c = result.command;
  if (!COMMAND_NAMES.includes(c.name)) return `unknown command ${c.name}`;
  const isPositiveInt = (n: number, max: number) => Number.isSafeInteger(n) && n >= 1 && n <= max;
  const amountOk = (a: AmountSpec) =>
    a.kind === 'absolute'
      ? isPositiveInt(a.value, MAX_AMOUNT)
      : a.kind === 'percent'
        ? isPositiveInt(a.percent, 100)
        : true;
  const textOk = (t: string, max: number) =>
    codePoints(t) >= 1 &&
    codePoints(t) <= max &&
    !/[^\u200D]/u.test(t.replace(/[^\p{Cc}\p{Cf}\p{Cs}\p{Cn}]/gu, '')) &&
    t === t.trim() &&
    !t.includes('  ');
  if ('number' in c && !isPositiveInt(c.number, MAX_MISSION_NUMBER)) return `bad number ${c.number}`;
  if ('durationMs' in c && c.durationMs !== undefined && !isPositiveInt(c.durationMs, MAX_DURATION_MS)) return 'bad duration';
  switch (c.name) {
    case 'propose':
      if (!textOk(c.text, MAX_TEXT_LENGTH)) return `bad text ${JSON.stringify(c.text)}`;
      if (c.amount && !amountOk(c.amount)) return 'bad amount';
      return undefined;
    case 'pledge':
      return amountOk(c.amount) ? undefined : 'bad amount';
    case 'give':
    case 'take':
      if (!isPositiveInt(c.amount, MAX_AMOUNT)) return 'bad amount';
      if (c.reason !== undefined && !textOk(c.reason, 200)) return 'bad reason';
      return isTwitchLogin(c.target) ? undefined : 'bad target';
    case 'balance':
      return c.target === undefined || isTwitchLogin(c.target) ? undefined : 'bad target';
    case 'reject':
    case 'cancel':
      return c.reason === undefined || textOk(c.reason, 200) ? undefined : 'bad reason';
    default:
      return undefined;
  }
}

const check = (message: string): void => {
  const result = parseCommand(message);
  expect(violation(result)).toBeUndefined();
  if (result && !result.ok) {
    // The reply for any failure renders cleanly in both locales.
    for (const locale of ['en', 'ko'] as const) {
      const reply = translateParseFailure(locale, result, { user: 'bob' });
      expect(reply.length).toBeGreaterThan(0);
      expect(reply.length).toBeLessThan(500);
      // Echoed tokens are user text, so only structural checks here; placeholders are covered in i18n tests.
      expect(reply).not.toMatch(/^[/.]|\[object /);
    }
  }
};

const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), utf16);

const interesting = fc.constantFrom(
  '3', '#3', '0', '-1', '1e3', '0x10', 'NaN', 'Infinity', 'all', 'half', '50%', '101%', '1k', '1.5k', '1.2345k',
  '1m', '30m', '1h30m', '8d', '10', '1,000', '1000000000001', '@bob', '@', 'bob', '@b!b', '"', '“', '”', '""',
  '\u200B', '\u202E', '\u{E0000}', '\u3164', '👩‍💻', '노데스', '1만', '10분', '전부', '\u0001ACTION', '\t', '\n',
  ...Object.values(MISSION_SUBCOMMAND_ALIASES).flat(),
  ...Object.values(POINTS_SUBCOMMAND_ALIASES).flat(),
);
const token = fc.oneof(interesting, anyString, fc.integer().map(String), fc.double().map(String));
const space = fc.constantFrom(' ', '  ', '\t', '\u3000', '\u00A0', '');
const tokens = fc.array(fc.tuple(token, space), { maxLength: 8 }).map((parts) => parts.map(([t, s]) => t + s).join(' '));
const alias = fc.constantFrom(...Object.values(COMMAND_ALIASES).flat());

describe('parseCommand never throws and every result is well-formed', () => {
  it('for arbitrary strings', () => {
    fc.assert(fc.property(anyString, check), RUNS);
  });

  it('for arbitrary strings after a command word', () => {
    fc.assert(fc.property(alias, anyString, (a, rest) => check(`!${a} ${rest}`)), RUNS);
  });

  it('for structured pledges, proposals and grants', () => {
    fc.assert(
      fc.property(token, token, tokens, (a, b, rest) => {
        check(`!pledge ${a} ${b}`);
        check(`!mission ${rest}`);
        check(`!mission ${a} ${b}`);
        check(`!points give ${a} ${b}`);
        check(`!points take ${a} ${b} ${rest}`);
        check(`!points ${a}`);
      }),
      RUNS,
    );
  });

  it('for token soups after any alias', () => {
    fc.assert(fc.property(space, alias, tokens, (lead, a, rest) => check(`${lead}!${a} ${rest}`)), RUNS);
  });

  it('proposal text is already clean: cleaning it again changes nothing', () => {
    fc.assert(
      fc.property(tokens, (rest) => {
        const result = parseCommand(`!mission ${rest}`);
        if (result?.ok && result.command.name === 'propose') {
          expect(parseMissionText(result.command.text)).toEqual({ ok: true, value: result.command.text });
          expect(INVISIBLE.test(result.command.text.replaceAll('\u200D', ''))).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

describe('amount and duration grammar', () => {
  it('parseAmount never throws; a success is a positive safe integer, a percent, all or half', () => {
    fc.assert(
      fc.property(fc.oneof(token, anyString), (t) => {
        const r = parseAmount(t);
        if (r.ok && r.value.kind === 'absolute') {
          expect(Number.isSafeInteger(r.value.value) && r.value.value >= 1 && r.value.value <= MAX_AMOUNT).toBe(true);
        }
        if (r.ok) expect(resolveAmount(r.value, 1000)).toBeGreaterThanOrEqual(0);
      }),
      RUNS,
    );
  });

  it('reads back every integer in range, plain and with thousands separators', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_AMOUNT }), (n) => {
        expect(parseAmount(String(n))).toEqual({ ok: true, value: { kind: 'absolute', value: n } });
        expect(parseAmount(formatPoints(n, 'en'))).toEqual({ ok: true, value: { kind: 'absolute', value: n } });
      }),
      RUNS,
    );
  });

  it('a composed duration equals the sum of its parts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        (d, h, m, s) => {
          const ms = ((d * 24 + h) * 60 + m) * 60_000 + s * 1000;
          const text = `${d}d${h}h${m}m${s}s`;
          const r = parseDuration(text);
          if (ms === 0) expect(r.ok).toBe(false);
          else expect(r).toEqual({ ok: true, value: ms });
        },
      ),
      RUNS,
    );
  });
});
