import { describe, expect, it } from 'vitest';
import { COMMAND_ALIASES } from '../../bot/parse/aliases.js';
import { COMMAND_NAMES, parseCommand, usageKey, type ParsedCommand } from '../../bot/parse/command.js';
import { HOUR_MS, MINUTE_MS } from '../../server/domain/grammar/duration.js';

const ok = (message: string): ParsedCommand => {
  const result = parseCommand(message);
  if (result === null || !result.ok) throw new Error(`expected ${JSON.stringify(message)} to parse: ${JSON.stringify(result)}`);
  return result.command;
};
const err = (message: string) => {
  const result = parseCommand(message);
  if (result === null || result.ok) throw new Error(`expected ${JSON.stringify(message)} to fail: ${JSON.stringify(result)}`);
  return { command: result.command, usage: result.usage, code: result.error.code, error: result.error };
};
const abs = (value: number) => ({ kind: 'absolute', value }) as const;

describe('not for us', () => {
  it.each([
    'hello chat',
    '',
    '   ',
    '!',
    '!!pledge 3 100',
    '! mission x',
    '!sr never gonna give you up',
    '!missionx text',
    'pledge 3 100',
    '?pledge 3 100',
    '\u0001ACTION !pledge 3 100\u0001',
    '  \u0001ACTION !mission approve 3\u0001',
  ])('%j → null', (message) => {
    expect(parseCommand(message)).toBeNull();
  });
});

describe('proposals', () => {
  it.each<[string, ParsedCommand]>([
    ['!mission Beat the boss without dying 500 30m', { name: 'propose', text: 'Beat the boss without dying', amount: abs(500), durationMs: 30 * MINUTE_MS }],
    ['!mission No deaths 1k', { name: 'propose', text: 'No deaths', amount: abs(1000) }],
    ['!mission No deaths 30m', { name: 'propose', text: 'No deaths', durationMs: 30 * MINUTE_MS }],
    ['!mission No deaths', { name: 'propose', text: 'No deaths' }],
    ['!mission No deaths 30m 500', { name: 'propose', text: 'No deaths', amount: abs(500), durationMs: 30 * MINUTE_MS }],
    ['!mission No deaths 1m', { name: 'propose', text: 'No deaths', durationMs: MINUTE_MS }],
    ['!mission No deaths 1m 1h', { name: 'propose', text: 'No deaths', amount: abs(1_000_000), durationMs: HOUR_MS }],
    ['!mission 3 kills in a row', { name: 'propose', text: '3 kills in a row' }],
    ['!mission 3 kills in a row 200', { name: 'propose', text: '3 kills in a row', amount: abs(200) }],
    ['!mission kill them all', { name: 'propose', text: 'kill them all' }],
    ['!mission win the first half', { name: 'propose', text: 'win the first half' }],
    ['!mission finish it 100%', { name: 'propose', text: 'finish it 100%' }],
    ['!mission finish in patch 1.5', { name: 'propose', text: 'finish in patch 1.5' }],
    ['!mission score -5', { name: 'propose', text: 'score -5' }],
    ['!mission 500 200', { name: 'propose', text: '500', amount: abs(200) }],
    ['!mission    lots   of   space    100  ', { name: 'propose', text: 'lots of space', amount: abs(100) }],
    ['  !MISSION No deaths  ', { name: 'propose', text: 'No deaths' }],
    ['!mission 노데스 클리어 1만 10분', { name: 'propose', text: '노데스 클리어', amount: abs(10_000), durationMs: 10 * MINUTE_MS }],
    ['!미션 노데스 클리어', { name: 'propose', text: '노데스 클리어' }],
    ['!m No deaths Kappa PogChamp', { name: 'propose', text: 'No deaths Kappa PogChamp' }],
    ['!mission 👩‍💻 speedrun 🎮', { name: 'propose', text: '👩‍💻 speedrun 🎮' }],
    ['!mission no\u200Bdeaths\u202E here', { name: 'propose', text: 'nodeaths here' }],
    ['!mission tab\there\nnewline', { name: 'propose', text: 'tab here newline' }],
    ['!mission @badges=broadcaster/1;mod=1 approve me', { name: 'propose', text: '@badges=broadcaster/1;mod=1 approve me' }],
    ['!mission "get to level 50"', { name: 'propose', text: 'get to level 50' }],
    ['!mission "get to level 50" all 30m', { name: 'propose', text: 'get to level 50', amount: { kind: 'all' }, durationMs: 30 * MINUTE_MS }],
    ['!mission "finish it" 50% ', { name: 'propose', text: 'finish it', amount: { kind: 'percent', percent: 50 } }],
    ['!mission “curly quotes 10” 1h', { name: 'propose', text: 'curly quotes 10', durationMs: HOUR_MS }],
    ['!mission "unclosed quote 100', { name: 'propose', text: '"unclosed quote', amount: abs(100) }],
    ['!mission #3 is my favourite', { name: 'propose', text: '#3 is my favourite' }],
    ['!mission approved by chat', { name: 'propose', text: 'approved by chat' }],
  ])('%j', (message, expected) => {
    expect(ok(message)).toEqual(expected);
  });

  it('accepts exactly 200 code points of text, emoji counting as one', () => {
    const text = '🎮'.repeat(200);
    expect(ok(`!mission ${text}`)).toEqual({ name: 'propose', text });
    expect(err(`!mission ${text}🎮`)).toMatchObject({ code: 'TEXT_TOO_LONG', error: { length: 201, max: 200 } });
  });

  it.each([
    ['!mission', 'TEXT_EMPTY'],
    ['!mission    ', 'TEXT_EMPTY'],
    ['!mission 500 30m', 'TEXT_EMPTY'],
    ['!mission 1k', 'TEXT_EMPTY'],
    ['!mission \u200B\u200B', 'TEXT_EMPTY'],
    ['!mission \u3164 \u2800', 'TEXT_EMPTY'],
    ['!mission ""', 'TEXT_EMPTY'],
    ['!mission No deaths 0', 'AMOUNT_ZERO'],
    ['!mission No deaths 2000000000000', 'AMOUNT_TOO_LARGE'],
    ['!mission No deaths 1.2345k', 'AMOUNT_NOT_WHOLE'],
    ['!mission No deaths 8d', 'DURATION_TOO_LONG'],
    ['!mission No deaths 0m', 'DURATION_ZERO'],
    ['!mission No deaths 100 8d', 'DURATION_TOO_LONG'],
    ['!mission "x" pizza', 'UNEXPECTED_ARGUMENT'],
    ['!mission "x" 100 200', 'UNEXPECTED_ARGUMENT'],
    ['!mission "x" 100 30m 1h', 'UNEXPECTED_ARGUMENT'],
    ['!mission "x" 150%', 'PERCENT_OUT_OF_RANGE'],
    [`!mission ${'a'.repeat(201)}`, 'TEXT_TOO_LONG'],
  ])('%j → %s', (message, code) => {
    expect(err(message)).toMatchObject({ command: 'propose', usage: 'usage.propose', code });
  });
});

describe('show and list', () => {
  it.each<[string, ParsedCommand]>([
    ['!mission 3', { name: 'show', number: 3 }],
    ['!mission #3', { name: 'show', number: 3 }],
    ['!m #12', { name: 'show', number: 12 }],
    ['!미션 4', { name: 'show', number: 4 }],
    ['!mission 1000000000', { name: 'show', number: 1_000_000_000 }],
    ['!missions', { name: 'list' }],
    ['!MISSIONS', { name: 'list' }],
    ['!missions please', { name: 'list' }],
    ['!미션목록', { name: 'list' }],
  ])('%j', (message, expected) => {
    expect(ok(message)).toEqual(expected);
  });

  it.each(['!mission 0', '!mission #0', '!mission 1000000001', `!mission ${'9'.repeat(50)}`])(
    '%j is a bad lookup, not a proposal',
    (message) => {
      expect(err(message)).toMatchObject({ command: 'show', usage: 'usage.show', code: 'NUMBER_INVALID' });
    },
  );
});

describe('pledge', () => {
  it.each<[string, ParsedCommand]>([
    ['!pledge 3 200', { name: 'pledge', number: 3, amount: abs(200) }],
    ['!pledge #3 all', { name: 'pledge', number: 3, amount: { kind: 'all' } }],
    ['!PLEDGE #3 HALF', { name: 'pledge', number: 3, amount: { kind: 'half' } }],
    ['!pledge 3 25%', { name: 'pledge', number: 3, amount: { kind: 'percent', percent: 25 } }],
    ['!back 3 1.5k', { name: 'pledge', number: 3, amount: abs(1500) }],
    ['!참여 3 전부', { name: 'pledge', number: 3, amount: { kind: 'all' } }],
    ['   !pledge    3     200   ', { name: 'pledge', number: 3, amount: abs(200) }],
    ['!pledge 3 200 \u{E0000}', { name: 'pledge', number: 3, amount: abs(200) }],
    ['!pledge 3 2\u200B00', { name: 'pledge', number: 3, amount: abs(200) }],
  ])('%j', (message, expected) => {
    expect(ok(message)).toEqual(expected);
  });

  it.each([
    ['!pledge', 'NUMBER_MISSING'],
    ['!pledge 3', 'AMOUNT_MISSING'],
    ['!pledge abc 100', 'NUMBER_INVALID'],
    ['!pledge 0 100', 'NUMBER_INVALID'],
    ['!pledge -1 100', 'NUMBER_INVALID'],
    ['!pledge 1000000001 100', 'NUMBER_INVALID'],
    ['!pledge 3.5 100', 'NUMBER_INVALID'],
    ['!pledge # 100', 'NUMBER_INVALID'],
    ['!pledge 3 abc', 'AMOUNT_INVALID'],
    ['!pledge 3 0', 'AMOUNT_ZERO'],
    ['!pledge 3 -100', 'AMOUNT_NEGATIVE'],
    ['!pledge 3 1.5', 'AMOUNT_NOT_INTEGER'],
    ['!pledge 3 1.2345k', 'AMOUNT_NOT_WHOLE'],
    ['!pledge 3 1000000000001', 'AMOUNT_TOO_LARGE'],
    ['!pledge 3 0x10', 'AMOUNT_INVALID'],
    ['!pledge 3 1e3', 'AMOUNT_INVALID'],
    ['!pledge 3 NaN', 'AMOUNT_INVALID'],
    ['!pledge 3 Infinity', 'AMOUNT_INVALID'],
    ['!pledge 3 101%', 'PERCENT_OUT_OF_RANGE'],
    ['!pledge 3 200 300', 'UNEXPECTED_ARGUMENT'],
  ])('%j → %s', (message, code) => {
    expect(err(message)).toMatchObject({ command: 'pledge', usage: 'usage.pledge', code });
  });
});

describe('points', () => {
  it.each<[string, ParsedCommand]>([
    ['!points', { name: 'balance' }],
    ['!balance', { name: 'balance' }],
    ['!bal', { name: 'balance' }],
    ['!포인트', { name: 'balance' }],
    ['!points @User_1', { name: 'balance', target: 'user_1' }],
    ['!points user', { name: 'balance', target: 'user' }],
    ['!points @bob,', { name: 'balance', target: 'bob' }],
    ['!points @give', { name: 'balance', target: 'give' }],
    ['!points give @User 500', { name: 'give', target: 'user', amount: 500 }],
    ['!points GIVE user 1k', { name: 'give', target: 'user', amount: 1000 }],
    ['!points take @bob 1,000', { name: 'take', target: 'bob', amount: 1000 }],
    ['!포인트 지급 @bob 1만', { name: 'give', target: 'bob', amount: 10_000 }],
    ['!포인트 회수 @bob 500', { name: 'take', target: 'bob', amount: 500 }],
    // A reason may follow the amount; it is kept in the audit trail.
    ['!points give @bob 500 raffle winner', { name: 'give', target: 'bob', amount: 500, reason: 'raffle winner' }],
    ['!points take @bob 1k  spam  bets', { name: 'take', target: 'bob', amount: 1000, reason: 'spam bets' }],
    ['!포인트 지급 @bob 500 추첨 당첨', { name: 'give', target: 'bob', amount: 500, reason: '추첨 당첨' }],
  ])('%j', (message, expected) => {
    expect(ok(message)).toEqual(expected);
  });

  it.each([
    ['!points @', 'balance', 'TARGET_INVALID'],
    ['!points @bad-name', 'balance', 'TARGET_INVALID'],
    ['!points 한글닉', 'balance', 'TARGET_INVALID'],
    [`!points ${'a'.repeat(26)}`, 'balance', 'TARGET_INVALID'],
    ['!points @bob extra', 'balance', 'UNEXPECTED_ARGUMENT'],
    ['!points give', 'give', 'TARGET_MISSING'],
    ['!points give @b!b 5', 'give', 'TARGET_INVALID'],
    ['!points give @bob', 'give', 'AMOUNT_MISSING'],
    ['!points give @bob all', 'give', 'AMOUNT_NOT_ABSOLUTE'],
    ['!points give @bob half', 'give', 'AMOUNT_NOT_ABSOLUTE'],
    ['!points take @bob 50%', 'take', 'AMOUNT_NOT_ABSOLUTE'],
    ['!points give @bob -5', 'give', 'AMOUNT_NEGATIVE'],
    ['!points give @bob 0', 'give', 'AMOUNT_ZERO'],
    ['!points give @bob 5 6', 'give', 'UNEXPECTED_ARGUMENT'],
    // A "reason" that starts like a number is more likely a mistyped amount: refused, not granted.
    ['!points give @bob 1 000', 'give', 'UNEXPECTED_ARGUMENT'],
    ['!points take @bob 5 all of it', 'take', 'UNEXPECTED_ARGUMENT'],
    ['!points give @bob 5 -3 fix', 'give', 'UNEXPECTED_ARGUMENT'],
  ])('%j → %s %s', (message, command, code) => {
    expect(err(message)).toMatchObject({ command, usage: `usage.${command}`, code });
  });
});

describe('moderator sub-commands', () => {
  it.each<[string, ParsedCommand]>([
    ['!mission approve 3', { name: 'approve', number: 3 }],
    ['!mission APPROVE #3', { name: 'approve', number: 3 }],
    ['!m success 3', { name: 'success', number: 3 }],
    ['!mission fail #3', { name: 'fail', number: 3 }],
    ['!mission reject 3', { name: 'reject', number: 3 }],
    ['!mission reject 3 too   easy  ', { name: 'reject', number: 3, reason: 'too easy' }],
    ['!mission cancel #3 streamer has to leave', { name: 'cancel', number: 3, reason: 'streamer has to leave' }],
    ['!mission cancel 3 \u200B', { name: 'cancel', number: 3 }],
    ['!mission extend 3 10m', { name: 'extend', number: 3, durationMs: 10 * MINUTE_MS }],
    ['!mission extend #3 1h 30m', { name: 'extend', number: 3, durationMs: 90 * MINUTE_MS }],
    ['!mission pause', { name: 'pause' }],
    ['!mission resume', { name: 'resume' }],
    ['!미션 승인 3', { name: 'approve', number: 3 }],
    ['!미션 성공 3', { name: 'success', number: 3 }],
    ['!미션 실패 3', { name: 'fail', number: 3 }],
    ['!미션 거절 3 너무 쉬움', { name: 'reject', number: 3, reason: '너무 쉬움' }],
    ['!미션 연장 3 10분', { name: 'extend', number: 3, durationMs: 10 * MINUTE_MS }],
    ['!미션 중지', { name: 'pause' }],
    ['!미션 재개', { name: 'resume' }],
  ])('%j', (message, expected) => {
    expect(ok(message)).toEqual(expected);
  });

  it('cuts long reasons to 200 code points instead of refusing the verdict', () => {
    const command = ok(`!mission reject 3 ${'x'.repeat(300)}`);
    expect(command).toEqual({ name: 'reject', number: 3, reason: 'x'.repeat(200) });
  });

  it.each([
    ['!mission approve', 'approve', 'NUMBER_MISSING'],
    ['!mission approve x', 'approve', 'NUMBER_INVALID'],
    ['!mission approve of my hat', 'approve', 'NUMBER_INVALID'],
    ['!mission approve 3 4', 'approve', 'UNEXPECTED_ARGUMENT'],
    ['!mission success', 'success', 'NUMBER_MISSING'],
    ['!mission fail 0', 'fail', 'NUMBER_INVALID'],
    ['!mission reject', 'reject', 'NUMBER_MISSING'],
    ['!mission cancel abc', 'cancel', 'NUMBER_INVALID'],
    ['!mission extend 3', 'extend', 'DURATION_MISSING'],
    ['!mission extend 3 10', 'extend', 'DURATION_NO_UNIT'],
    ['!mission extend 3 soon', 'extend', 'DURATION_INVALID'],
    ['!mission extend 3 8d', 'extend', 'DURATION_TOO_LONG'],
    ['!mission extend', 'extend', 'NUMBER_MISSING'],
    ['!mission pause now', 'pause', 'UNEXPECTED_ARGUMENT'],
    ['!mission resume 3', 'resume', 'UNEXPECTED_ARGUMENT'],
  ])('%j → %s %s', (message, command, code) => {
    expect(err(message)).toMatchObject({ command, usage: `usage.${command}`, code });
  });
});

describe('exports', () => {
  it('usageKey maps every command to its usage line', () => {
    expect(COMMAND_NAMES.map(usageKey)).toContain('usage.pledge');
    expect(new Set(COMMAND_NAMES.map(usageKey)).size).toBe(COMMAND_NAMES.length);
  });

  it('every alias reaches the parser, case-insensitively', () => {
    for (const aliases of Object.values(COMMAND_ALIASES)) {
      for (const alias of aliases) {
        expect(parseCommand(`!${alias.toUpperCase()}`), alias).not.toBeNull();
      }
    }
  });
});

describe('error params', () => {
  it('clip echoed tokens so a pasted wall of text stays out of logs and replies', () => {
    const long = 'z'.repeat(5000);
    for (const message of [`!pledge 3 ${long}`, `!pledge ${long} 5`, `!pledge 3 5 ${long}`, `!points give @bob ${long}`]) {
      const { error } = err(message);
      expect(String(error['token']).length).toBe(50);
    }
  });
});
