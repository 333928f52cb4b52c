/** Locale-aware formatting for chat replies. Pure: no clock, no environment. */

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

export const isLocale = (value: unknown): value is Locale => value === 'en' || value === 'ko';

/** Currency name used when the channel has not set one (the `currencyName` setting). */
export const DEFAULT_CURRENCY: Readonly<Record<Locale, string>> = { en: 'pts', ko: '포인트' };

/** Mission text is clamped to this many code points inside replies. */
export const REPLY_TEXT_MAX = 60;
/** Echoed chat tokens (a bad amount…) are clamped harder: they are user-controlled noise. */
export const REPLY_TOKEN_MAX = 20;
/** Twitch cuts at 500; every reply is kept below this as a last line of defence. */
export const REPLY_MAX = 480;

const GROUPING = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `4350` → `4,350` (both locales group by thousands with a comma). */
export function formatPoints(n: number, _locale: Locale = 'en'): string {
  if (!Number.isFinite(n)) return String(n);
  return GROUPING.format(Math.trunc(n));
}

const UNIT_LABELS: Readonly<Record<Locale, readonly [string, string, string, string]>> = {
  en: ['d', 'h', 'm', 's'],
  ko: ['일', '시간', '분', '초'],
};
const UNIT_SECONDS = [86_400, 3_600, 60, 1] as const;

/**
 * Human duration with the two largest units: `30m`, `1h 30m`, `1d 2h`, `45s`; Korean `30분`,
 * `1시간 30분`. Rounds up to the second so a countdown never shows `0s` while time remains.
 */
export function formatDuration(ms: number, locale: Locale = 'en'): string {
  const labels = UNIT_LABELS[locale];
  const total = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 0;
  const values = UNIT_SECONDS.map((size, i) => Math.floor((i === 0 ? total : total % (UNIT_SECONDS[i - 1] ?? 1)) / size));
  const first = values.findIndex((v) => v > 0);
  if (first === -1) return `0${labels[3]}`;
  const parts = [first, first + 1]
    .filter((i) => i < values.length && (values[i] ?? 0) > 0)
    .map((i) => `${formatPoints(values[i] ?? 0)}${labels[i] ?? ''}`);
  return parts.join(' ');
}

/** Keeps at most `max` code points, ending with `…` when cut. */
export function clampText(text: string, max: number = REPLY_TEXT_MAX): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/**
 * Picks a Korean particle by whether `word` ends in a final consonant (받침): `josa('포인트',
 * '이', '가')` → `포인트가`. Words not ending in a Hangul syllable get the neutral `이(가)` form.
 */
export function josa(word: string, withFinal: string, withoutFinal: string): string {
  const last = word.codePointAt(word.length - 1) ?? 0;
  if (last < 0xac00 || last > 0xd7a3) return `${word}${withFinal}(${withoutFinal})`;
  return `${word}${(last - 0xac00) % 28 === 0 ? withoutFinal : withFinal}`;
}
