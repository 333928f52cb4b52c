import { describe, expect, it } from 'vitest';
import { clampText, formatDuration, formatPoints, isLocale, josa } from '../../bot/i18n/format.js';

describe('formatPoints', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [4350, '4,350'],
    [1_000_000, '1,000,000'],
    [1_000_000_000_000, '1,000,000,000,000'],
    [-1200, '-1,200'],
  ])('%d → %s', (n, expected) => {
    expect(formatPoints(n, 'en')).toBe(expected);
    expect(formatPoints(n, 'ko')).toBe(expected);
  });

  it('never invents digits for non-finite input', () => {
    expect(formatPoints(Number.NaN, 'en')).toBe('NaN');
  });
});

describe('formatDuration', () => {
  it.each([
    [30 * 60_000, '30m', '30분'],
    [90 * 60_000, '1h 30m', '1시간 30분'],
    [(2 * 3600 + 5 * 60 + 10) * 1000, '2h 5m', '2시간 5분'],
    [3_600_000 + 10_000, '1h', '1시간'],
    [90_000, '1m 30s', '1분 30초'],
    [45_000, '45s', '45초'],
    [1, '1s', '1초'],
    [59_001, '1m', '1분'],
    [0, '0s', '0초'],
    [-5, '0s', '0초'],
    [86_400_000 + 3_600_000, '1d 1h', '1일 1시간'],
    [7 * 86_400_000, '7d', '7일'],
  ])('%d ms', (ms, en, ko) => {
    expect(formatDuration(ms, 'en')).toBe(en);
    expect(formatDuration(ms, 'ko')).toBe(ko);
  });
});

describe('clampText', () => {
  it('keeps short text', () => {
    expect(clampText('No deaths', 60)).toBe('No deaths');
    expect(clampText('x'.repeat(60), 60)).toBe('x'.repeat(60));
  });

  it('cuts on code points and marks the cut', () => {
    expect(clampText('x'.repeat(61), 60)).toBe(`${'x'.repeat(59)}…`);
    expect(clampText('🎮'.repeat(10), 5)).toBe('🎮🎮🎮🎮…');
    expect(clampText('abc def', 5)).toBe('abc…');
  });
});

describe('josa', () => {
  it('picks the particle by the final consonant', () => {
    expect(josa('포인트', '이', '가')).toBe('포인트가');
    expect(josa('별', '이', '가')).toBe('별이');
    expect(josa('30초', '이에요', '예요')).toBe('30초예요');
    expect(josa('1분', '이에요', '예요')).toBe('1분이에요');
    expect(josa('pts', '이', '가')).toBe('pts이(가)');
  });
});

it('isLocale accepts only supported locales', () => {
  expect(isLocale('ko')).toBe(true);
  expect(isLocale('ja')).toBe(false);
});
