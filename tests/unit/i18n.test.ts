import { describe, expect, it } from 'vitest';
import {
  CATALOGS,
  DOMAIN_ERROR_PARAMS,
  formatMissionList,
  LOCALES,
  MESSAGE_PARAMS,
  PARSE_ERROR_PARAMS,
  translate,
  translateError,
  translateParseFailure,
  type LooseParams,
  type MessageKey,
} from '../../bot/i18n/index.js';
import { COMMAND_NAMES, parseCommand, usageKey } from '../../bot/parse/command.js';
import { PARSE_ERROR_CODES } from '../../server/domain/grammar/result.js';
import { errors, type DomainError } from '../../server/domain/errors.js';

const SAMPLES: Readonly<Record<string, string | number>> = {
  number: 4,
  text: 'Beat the final boss without taking any damage, no items, no summons, on the hardest difficulty',
  user: 'alice',
  amount: 1200,
  timeLeftMs: 30 * 60_000,
  pot: 4350,
  count: 12,
  balance: 1200,
  inEscrow: 300,
  treasury: 4350,
  pending: 1,
  status: 'closed',
  backers: 23,
  items: '#4 No deaths (1,200 pts)',
  more: 3,
  graceMs: 15 * 60_000,
  reason: 'too easy',
  target: 'bob',
  channel: 'somestreamer',
  needed: 100,
  minimum: 10,
  maximum: 5000,
  limit: 5,
  durationMs: 2 * 86_400_000,
  minMs: 60_000,
  maxMs: 86_400_000,
  retryAfterMs: 45_000,
  login: 'carol',
  action: 'approve',
  token: 'abc',
  max: 200,
  min: 1,
  length: 240,
};

const keys = Object.keys(MESSAGE_PARAMS) as MessageKey[];
const paramNames = (key: MessageKey): string[] =>
  (MESSAGE_PARAMS[key] as readonly string[]).map((p) => p.replace(/\?$/, ''));
const sampleParams = (key: MessageKey): Record<string, string | number> =>
  Object.fromEntries(paramNames(key).map((p) => [p, SAMPLES[p] ?? `missing sample for ${p}`]));
const render = (locale: (typeof LOCALES)[number], key: MessageKey, params: LooseParams): string =>
  (translate as (l: typeof locale, k: MessageKey, p: LooseParams) => string)(locale, key, params);

describe('catalogs', () => {
  it('cover exactly the declared keys in every locale', () => {
    for (const locale of LOCALES) {
      expect(Object.keys(CATALOGS[locale]).sort()).toEqual([...keys].sort());
    }
  });

  it('declare one message per parse error code and one usage line per command', () => {
    expect(Object.keys(PARSE_ERROR_PARAMS).sort()).toEqual([...PARSE_ERROR_CODES].sort());
    for (const command of COMMAND_NAMES) expect(keys).toContain(usageKey(command));
  });

  describe.each(LOCALES)('%s', (locale) => {
    it.each(keys)('%s renders completely, briefly and from every declared param', (key) => {
      const params = sampleParams(key);
      const full = render(locale, key, { user: 'bob', ...params });
      expect(full.length).toBeGreaterThan(0);
      expect(full.length).toBeLessThan(300);
      expect(full).not.toMatch(/\{|\}|undefined|NaN|\[object|missing sample/);
      expect(full).not.toMatch(/^[/.]/);
      for (const name of paramNames(key)) {
        const { [name]: _dropped, ...rest } = params;
        expect(render(locale, key, { user: 'bob', ...rest }), `${key} ignores ${name}`).not.toBe(full);
      }
    });

    it.each(keys)('%s survives missing params without placeholders or exceptions', (key) => {
      const reply = render(locale, key, {});
      expect(reply.length).toBeGreaterThan(0);
      expect(reply).not.toMatch(/\{|\}|undefined|NaN/);
    });
  });
});

describe('the chat voice', () => {
  it.each([
    ['en', 'proposed', { number: 4, text: 'No deaths this run', user: 'alice', amount: 100 },
      '#4 "No deaths this run" proposed by @alice (100 pts) — mods: !mission approve 4'],
    ['ko', 'proposed', { number: 4, text: '노데스 클리어', user: 'alice', amount: 100 },
      '#4 "노데스 클리어" 미션 신청: @alice (100 포인트) — 모더: !mission approve 4'],
    ['en', 'opened', { number: 4, timeLeftMs: 1_800_000 }, '#4 is live! Back it: !pledge 4 <amount> — 30m left'],
    ['ko', 'opened', { number: 4, timeLeftMs: 1_800_000 }, '#4 미션 시작! 참여: !pledge 4 <금액> — 30분 남음'],
    ['en', 'pledged', { user: 'bob', amount: 200, number: 4, pot: 1200 }, '@bob pledged 200 to #4, pot 1,200 pts'],
    ['en', 'pledgesCoalesced', { number: 4, count: 12, pot: 4350 }, '#4 +12 backers, pot 4,350 pts'],
    ['ko', 'pledgesCoalesced', { number: 4, count: 12, pot: 4350 }, '#4 +12명 참여, 총 4,350 포인트'],
    ['en', 'balance', { user: 'bob', balance: 1200, inEscrow: 300 }, '@bob has 1,200 pts (300 in missions)'],
    ['en', 'balance', { user: 'bob', balance: 1200, inEscrow: 0 }, '@bob has 1,200 pts'],
    ['en', 'success', { number: 4, pot: 4350 }, '#4 SUCCESS! 4,350 pts go to the streamer'],
    ['ko', 'success', { number: 4, pot: 4350 }, '#4 미션 성공! 4,350 포인트가 스트리머에게'],
    ['en', 'failed', { number: 4, backers: 23, pot: 4350 }, '#4 failed — 23 backers refunded 4,350 pts'],
    ['en', 'failed', { number: 4, backers: 1, pot: 50 }, '#4 failed — 1 backer refunded 50 pts'],
    ['ko', 'failed', { number: 4, backers: 23, pot: 4350 }, '#4 미션 실패 — 23명에게 4,350 포인트 환불'],
    ['en', 'usage.pledge', {}, 'Usage: !pledge <mission> <amount>, e.g. !pledge 4 100'],
    ['ko', 'usage.pledge', {}, '사용법: !pledge <미션번호> <금액> 예) !pledge 4 100'],
    ['en', 'success', { number: 4, pot: 4350, currency: 'gems' }, '#4 SUCCESS! 4,350 gems go to the streamer'],
    ['ko', 'success', { number: 4, pot: 10, currency: '별' }, '#4 미션 성공! 10 별이 스트리머에게'],
  ] as const)('%s %s', (locale, key, params, expected) => {
    expect(render(locale, key, params)).toBe(expected);
  });

  it('clamps mission text so replies stay short', () => {
    const reply = translate('en', 'proposed', { number: 4, text: 'x'.repeat(200), user: 'alice', amount: 100 });
    expect(reply).toContain(`"${'x'.repeat(59)}…"`);
    expect(reply.length).toBeLessThan(150);
  });
});

describe('domain errors', () => {
  const all: DomainError[] = [
    errors.validation('bad'),
    errors.channelNotFound('somechan'),
    errors.channelExists('somechan'),
    errors.missionNotFound(4),
    errors.missionNotOpen(4, 'closed'),
    errors.missionNotPending(4, 'open'),
    errors.invalidTransition(4, 'succeeded', 'cancel'),
    errors.insufficientFunds(40, 100),
    errors.stakeTooLow(5, 10),
    errors.pledgeTooHigh(9000, 5000),
    errors.tooManyOpenMissions(5),
    errors.tooManyOpenMissionsForViewer(1),
    errors.durationOutOfRange(2 * 86_400_000, 60_000, 86_400_000),
    errors.blockedWords(),
    errors.cooldown(45_000),
    errors.missionsPaused(),
    errors.resolverHasPledged(4),
    errors.forbidden(),
    errors.unauthorized(),
    errors.viewerNotFound('carol'),
    errors.idempotencyConflict(),
    errors.overloaded(),
    errors.balanceLimit(1_000_000_000_000),
  ];

  it('covers every code with the params errors.ts attaches', () => {
    expect(all.map((e) => e.code).sort()).toEqual(Object.keys(DOMAIN_ERROR_PARAMS).sort());
    for (const e of all) {
      for (const name of (DOMAIN_ERROR_PARAMS[e.code] as readonly string[]).map((p) => p.replace(/\?$/, ''))) {
        expect(e.params, `${e.code} lacks ${name}`).toHaveProperty(name);
      }
    }
  });

  it.each(LOCALES)('renders every domain error addressed to the user in %s', (locale) => {
    for (const e of all) {
      const reply = translateError(locale, e, { user: 'bob' });
      expect(reply.startsWith('@bob ')).toBe(true);
      expect(reply).not.toMatch(/\?\)|\? |\{|undefined|NaN/);
    }
  });

  it('matches the SPEC examples for insufficient funds', () => {
    expect(translateError('en', errors.insufficientFunds(40, 100), { user: 'bob' })).toBe('@bob you have 40 pts (needed 100)');
    expect(translateError('ko', errors.insufficientFunds(40, 100), { user: 'bob' })).toBe(
      '@bob 포인트가 부족해요 (보유 40, 필요 100)',
    );
  });

  it('localises statuses and actions', () => {
    expect(translateError('en', errors.invalidTransition(4, 'succeeded', 'cancel'))).toBe(
      "#4 is succeeded, so it can't be cancelled",
    );
    expect(translateError('ko', errors.missionNotOpen(4, 'pending'), { user: 'bob' })).toBe(
      '@bob #4 미션은 지금 참여할 수 없어요 (승인 대기)',
    );
    expect(translateError('en', errors.cooldown(45_000), { user: 'bob' })).toBe('@bob wait 45s before proposing another mission');
  });
});

describe('parse failures', () => {
  // One message per code, so every grammar error reaches a reply through the real parser.
  const examples: Record<(typeof PARSE_ERROR_CODES)[number], string> = {
    AMOUNT_MISSING: '!pledge 3',
    AMOUNT_INVALID: '!pledge 3 lots',
    AMOUNT_ZERO: '!pledge 3 0',
    AMOUNT_NEGATIVE: '!pledge 3 -5',
    AMOUNT_NOT_INTEGER: '!pledge 3 1.5',
    AMOUNT_NOT_WHOLE: '!pledge 3 1.2345k',
    AMOUNT_TOO_LARGE: '!pledge 3 2000000000000',
    AMOUNT_NOT_ABSOLUTE: '!points give @bob all',
    PERCENT_OUT_OF_RANGE: '!pledge 3 150%',
    DURATION_MISSING: '!mission extend 3',
    DURATION_INVALID: '!mission extend 3 soon',
    DURATION_NO_UNIT: '!mission extend 3 10',
    DURATION_ZERO: '!mission extend 3 0m',
    DURATION_TOO_SHORT: '!mission extend 3 0.5s',
    DURATION_TOO_LONG: '!mission extend 3 8d',
    NUMBER_MISSING: '!pledge',
    NUMBER_INVALID: '!pledge x 100',
    TARGET_MISSING: '!points give',
    TARGET_INVALID: '!points @b!b',
    TEXT_EMPTY: '!mission',
    TEXT_TOO_LONG: `!mission ${'a'.repeat(250)}`,
    UNEXPECTED_ARGUMENT: '!pledge 3 100 200',
  };

  it.each(Object.entries(examples))('%s: %s', (code, message) => {
    const result = parseCommand(message);
    expect(result?.ok).toBe(false);
    if (!result || result.ok) return;
    expect(result.error.code).toBe(code);
    for (const locale of LOCALES) {
      const reply = translateParseFailure(locale, result, { user: 'bob' });
      expect(reply.startsWith('@bob ')).toBe(true);
      expect(reply).toContain(render(locale, result.usage, {}));
      expect(reply).not.toMatch(/\{|undefined|NaN/);
      expect(reply.length).toBeLessThan(500);
    }
  });

  it('reads like one short reply', () => {
    const result = parseCommand('!pledge x 100');
    if (!result || result.ok) throw new Error('expected a failure');
    expect(translateParseFailure('en', result, { user: 'bob' })).toBe(
      '@bob "x" is not a mission number (e.g. 4 or #4) — Usage: !pledge <mission> <amount>, e.g. !pledge 4 100',
    );
    expect(translateParseFailure('en', result)).toMatch(/^"x" is not/);
  });

  it('clamps echoed tokens', () => {
    const result = parseCommand(`!pledge 3 ${'z'.repeat(300)}`);
    if (!result || result.ok) throw new Error('expected a failure');
    expect(translateParseFailure('en', result).length).toBeLessThan(150);
  });
});

describe('formatMissionList', () => {
  it('says so when nothing is open', () => {
    expect(formatMissionList('en', [])).toBe('No open or pending missions. Start one: !mission <text> [amount]');
  });

  it('marks a mission awaiting approval', () => {
    expect(
      formatMissionList('en', [
        { number: 4, text: 'No deaths', pot: 4350, timeLeftMs: 25 * 60_000 },
        { number: 5, text: 'Speedrun', pot: 100, pending: true },
      ]),
    ).toBe('Missions: #4 No deaths (4,350 pts, 25m) · #5 Speedrun (100 pts, awaiting approval)');
    expect(formatMissionList('ko', [{ number: 5, text: '스피드런', pot: 100, pending: true }])).toContain('#5 스피드런 (100 포인트, 승인 대기)');
  });

  it('lists missions in the given order', () => {
    expect(
      formatMissionList('en', [
        { number: 4, text: 'No deaths', pot: 4350, timeLeftMs: 25 * 60_000 },
        { number: 2, text: 'Speedrun', pot: 100 },
      ]),
    ).toBe('Missions: #4 No deaths (4,350 pts, 25m) · #2 Speedrun (100 pts)');
  });

  it.each(LOCALES)('fits one chat message and says how many were left out (%s)', (locale) => {
    const entries = Array.from({ length: 30 }, (_, i) => ({ number: i + 1, text: `${'mission '.repeat(10)}${i}`, pot: 1000 * i }));
    const reply = formatMissionList(locale, entries);
    expect(reply.length).toBeLessThanOrEqual(480);
    expect(reply).not.toMatch(/…$/);
    expect(reply).toMatch(locale === 'en' ? /\+\d+ more$/ : /외 \d+개$/);
  });
});
