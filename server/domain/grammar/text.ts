import { isTwitchLogin } from '../twitch-login.js';
import { fail, ok, type Result } from './result.js';

/** Longest mission text, in code points. */
export const MAX_TEXT_LENGTH = 200;
/** Longer moderator reasons are cut, not refused: the verdict matters more than the note. */
export const MAX_REASON_LENGTH = 200;
/** Mission numbers are per channel; this bound keeps them far inside an int column. */
export const MAX_MISSION_NUMBER = 1_000_000_000;

const ZWJ = '\u200D';
// Twitch chat clients pad messages with invisible characters (Chatterino/7TV append U+E0000 to
// dodge the duplicate-message filter), and bidi overrides can reorder what moderators read.
// Controls, format characters (zero-width, bidi, tags), lone surrogates and unassigned code
// points all go; ZWJ survives so joined emoji (👩‍💻) keep their shape.
const INVISIBLE_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Cn}]/gu;
// Characters that render as blank space but are letters or symbols (Hangul fillers, braille blank).
const SPACE_LIKE_RE = /[\s\u0085\u115F\u1160\u2800\u3164\uFFA0]+/gu;
const STRAY_ZWJ_RE = /(^|\s)\u200D+|\u200D+(?=\s|$)/gu;
const ZWJ_RUN_RE = /\u200D{2,}/gu;
const VISIBLE_RE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * Cleans raw chat text: NFC, every kind of whitespace collapsed to one space, invisible and
 * control characters removed, trimmed. Emotes, Korean and emoji are kept.
 */
export function cleanChatText(raw: string): string {
  return raw
    .replace(SPACE_LIKE_RE, ' ')
    .replace(INVISIBLE_RE, (ch) => (ch === ZWJ ? ch : ''))
    .normalize('NFC')
    .replace(STRAY_ZWJ_RE, '$1')
    .replace(ZWJ_RUN_RE, ZWJ)
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * The one rule for names and other short text a caller sends (display names, currency name,
 * blocked words, reasons): it must already be what `cleanChatText` makes of it, so no control
 * characters, bidi overrides, zero-width or other invisible characters, no runs of whitespace, and
 * NFC; and something in it must be visible. The empty string passes (length limits are the schema's).
 */
export function isPlainText(s: string): boolean {
  return s === '' || (cleanChatText(s) === s && VISIBLE_RE.test(s));
}

/** Length in code points, which is what a viewer counts (an emoji is one, not two). */
export const codePointLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Keeps at most `max` code points. */
export const truncateCodePoints = (s: string, max: number): string =>
  codePointLength(s) <= max ? s : Array.from(s).slice(0, max).join('').trimEnd();

/** Validates mission text: cleaned, 1..200 code points, at least one visible character. */
export function parseMissionText(raw: string): Result<string> {
  const text = cleanChatText(raw);
  if (!VISIBLE_RE.test(text)) return fail('TEXT_EMPTY');
  const length = codePointLength(text);
  if (length > MAX_TEXT_LENGTH) return fail('TEXT_TOO_LONG', { length, max: MAX_TEXT_LENGTH });
  return ok(text);
}

/** An optional moderator note: cleaned and cut to 200 code points; empty → undefined. */
export function parseReason(raw: string): string | undefined {
  const text = cleanChatText(raw);
  return VISIBLE_RE.test(text) ? truncateCodePoints(text, MAX_REASON_LENGTH) : undefined;
}

const MISSION_NUMBER_RE = /^#?(\d+)$/;

/** `3` or `#3`: a positive integer up to 1e9. */
export function parseMissionNumber(token: string | undefined): Result<number> {
  if (token === undefined || token === '') return fail('NUMBER_MISSING');
  const m = MISSION_NUMBER_RE.exec(token);
  const digits = m?.[1]?.replace(/^0+/, '') ?? '';
  // Length first: Number('9'.repeat(400)) is Infinity, and that should read as invalid, not huge.
  if (!m || digits === '' || digits.length > 10 || Number(digits) > MAX_MISSION_NUMBER) {
    return fail('NUMBER_INVALID', { token, max: MAX_MISSION_NUMBER });
  }
  return ok(Number(digits));
}

/** `@User` or `user` → `user`. Twitch logins are ASCII; display names in Korean are not logins. */
export function parseLogin(token: string | undefined): Result<string> {
  if (token === undefined || token === '') return fail('TARGET_MISSING');
  const login = (token.startsWith('@') ? token.slice(1) : token).toLowerCase();
  // A trailing comma or colon is how people address someone in chat (`@bob, …`).
  const trimmed = login.replace(/[,:]$/, '');
  if (!isTwitchLogin(trimmed)) return fail('TARGET_INVALID', { token });
  return ok(trimmed);
}
