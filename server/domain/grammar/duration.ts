import { fail, ok, type Result } from './result.js';

/**
 * Duration grammar: one or more `<number><unit>` parts, largest unit first, each unit
 * at most once: `90s`, `10m`, `1h`, `1h30m`, `2h5m10s`, `1d`, `1.5h`, Korean `10분`, `1시간30분`.
 * Units: d/day(s)/일, h/hr(s)/hour(s)/시간, m/min(s)/minute(s)/분, s/sec(s)/second(s)/초.
 *
 * A bare number (`10`) is rejected with `DURATION_NO_UNIT` on purpose: in `!mission <text> 500`
 * a trailing number must stay an amount, and "10" could mean minutes or seconds to different
 * people. The reply tells the user to add a unit.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
/** Nothing in the product needs longer; channel settings narrow it further. */
export const MAX_DURATION_MS = 7 * DAY_MS;
export const MIN_DURATION_MS = SECOND_MS;

// Longest spellings first so `min` is not read as `m` + garbage.
const UNITS: ReadonlyArray<{ re: string; ms: number }> = [
  { re: 'days|day|d|일', ms: DAY_MS },
  { re: 'hours|hour|hrs|hr|h|시간', ms: HOUR_MS },
  { re: 'minutes|minute|mins|min|m|분', ms: MINUTE_MS },
  { re: 'seconds|second|secs|sec|s|초', ms: SECOND_MS },
];

const NUM = '(\\d{1,9}(?:\\.\\d{1,6})?)';
// Each unit group is optional but they must appear in order: d, h, m, s.
const DURATION_RE = new RegExp(`^${UNITS.map((u) => `(?:${NUM}(?:${u.re}))?`).join('')}$`);
const BARE_NUMBER_RE = /^\d+(?:\.\d+)?$/;

/** Parses one chat token (spaces between parts are allowed: `1h 30m`) into milliseconds; never throws. */
export function parseDuration(token: string): Result<number> {
  const t = token.toLowerCase().replace(/\s+/g, '');
  if (t === '') return fail('DURATION_MISSING');
  if (BARE_NUMBER_RE.test(t)) return fail('DURATION_NO_UNIT', { token });
  const m = DURATION_RE.exec(t);
  if (!m) return fail('DURATION_INVALID', { token });
  let ms = 0;
  UNITS.forEach((unit, i) => {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * unit.ms;
  });
  ms = Math.round(ms);
  if (ms === 0) return fail('DURATION_ZERO', { token });
  if (ms < MIN_DURATION_MS) return fail('DURATION_TOO_SHORT', { token, minMs: MIN_DURATION_MS });
  if (ms > MAX_DURATION_MS) return fail('DURATION_TOO_LONG', { token, maxMs: MAX_DURATION_MS });
  return ok(ms);
}

/**
 * Milliseconds as the whole seconds the services take: rounded up, so nobody gets less time than
 * they asked for (`1.2s` is 2 seconds), and never zero.
 */
export const toSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / SECOND_MS));
