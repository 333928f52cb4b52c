import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MAX_DURATION_MS, MINUTE_MS, parseDuration, SECOND_MS, toSeconds } from '../../server/domain/grammar/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90 * SECOND_MS],
    ['10m', 10 * MINUTE_MS],
    ['10M', 10 * MINUTE_MS],
    ['1h', HOUR_MS],
    ['1h30m', 90 * MINUTE_MS],
    ['1H30M', 90 * MINUTE_MS],
    ['1h 30m', 90 * MINUTE_MS],
    ['2h5m10s', 2 * HOUR_MS + 5 * MINUTE_MS + 10 * SECOND_MS],
    ['1d', DAY_MS],
    ['7d', MAX_DURATION_MS],
    ['1d12h', 36 * HOUR_MS],
    ['1.5h', 90 * MINUTE_MS],
    ['0.5m', 30 * SECOND_MS],
    ['45min', 45 * MINUTE_MS],
    ['2hours', 2 * HOUR_MS],
    ['1hr', HOUR_MS],
    ['30sec', 30 * SECOND_MS],
    ['2days', 2 * DAY_MS],
    ['10분', 10 * MINUTE_MS],
    ['1시간', HOUR_MS],
    ['1시간30분', 90 * MINUTE_MS],
    ['1시간 30분', 90 * MINUTE_MS],
    ['30초', 30 * SECOND_MS],
    ['2일', 2 * DAY_MS],
    ['0h30m', 30 * MINUTE_MS],
  ])('%s', (token, ms) => {
    expect(parseDuration(token)).toEqual({ ok: true, value: ms });
  });

  it.each([
    ['', 'DURATION_MISSING'],
    ['   ', 'DURATION_MISSING'],
    ['10', 'DURATION_NO_UNIT'],
    ['1.5', 'DURATION_NO_UNIT'],
    ['0s', 'DURATION_ZERO'],
    ['0h0m', 'DURATION_ZERO'],
    ['0.0001s', 'DURATION_ZERO'],
    ['0.5s', 'DURATION_TOO_SHORT'],
    ['7d1s', 'DURATION_TOO_LONG'],
    ['8d', 'DURATION_TOO_LONG'],
    ['169h', 'DURATION_TOO_LONG'],
    ['999999999d', 'DURATION_TOO_LONG'],
    ['30m1h', 'DURATION_INVALID'],
    ['1h1h', 'DURATION_INVALID'],
    ['1ms', 'DURATION_INVALID'],
    ['h', 'DURATION_INVALID'],
    ['-5m', 'DURATION_INVALID'],
    ['1e3s', 'DURATION_INVALID'],
    ['Infinitym', 'DURATION_INVALID'],
    ['NaN', 'DURATION_INVALID'],
    ['5 minutes ago', 'DURATION_INVALID'],
    ['1k', 'DURATION_INVALID'],
    ['all', 'DURATION_INVALID'],
    ['１０m', 'DURATION_INVALID'],
    [`${'9'.repeat(400)}m`, 'DURATION_INVALID'],
  ])('rejects %j with %s', (token, code) => {
    const result = parseDuration(token);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  it('names the limit in the too-long error', () => {
    expect(parseDuration('8d')).toEqual({
      ok: false,
      error: { code: 'DURATION_TOO_LONG', token: '8d', maxMs: MAX_DURATION_MS },
    });
  });
});

describe('toSeconds', () => {
  it('rounds up to whole seconds and never to zero, for chat and the REST API alike', () => {
    expect(parseDuration('1.2s')).toEqual({ ok: true, value: 1_200 });
    expect(toSeconds(1_200)).toBe(2);
    expect(toSeconds(1_500)).toBe(2);
    expect(toSeconds(90 * SECOND_MS)).toBe(90);
    expect(toSeconds(1)).toBe(1);
    expect(toSeconds(0)).toBe(1);
  });
});
