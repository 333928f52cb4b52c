/**
 * Result and error shapes shared by the chat grammar. Parsers never throw: a malformed token
 * becomes a {@link ParseError} whose `code` bot/i18n turns into a localised reply.
 */

/** Every way a chat command can be malformed. Each has one message per locale in bot/i18n. */
export const PARSE_ERROR_CODES = [
  'AMOUNT_MISSING',
  'AMOUNT_INVALID',
  'AMOUNT_ZERO',
  'AMOUNT_NEGATIVE',
  'AMOUNT_NOT_INTEGER',
  'AMOUNT_NOT_WHOLE',
  'AMOUNT_TOO_LARGE',
  'AMOUNT_NOT_ABSOLUTE',
  'PERCENT_OUT_OF_RANGE',
  'DURATION_MISSING',
  'DURATION_INVALID',
  'DURATION_NO_UNIT',
  'DURATION_ZERO',
  'DURATION_TOO_SHORT',
  'DURATION_TOO_LONG',
  'NUMBER_MISSING',
  'NUMBER_INVALID',
  'TARGET_MISSING',
  'TARGET_INVALID',
  'TEXT_EMPTY',
  'TEXT_TOO_LONG',
  'UNEXPECTED_ARGUMENT',
] as const;

export type ParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

/**
 * A grammar error: a stable `code` plus the parameters its message needs (`token` is the
 * offending chat token, already cleaned of invisible characters; `max`, `min`, `maxMs`…).
 */
export interface ParseError {
  readonly code: ParseErrorCode;
  readonly [param: string]: string | number;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ParseError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** Echoed tokens are cut to this many code points: a 500-character token helps nobody in a log line. */
export const MAX_ERROR_TOKEN = 50;

/** Builds an error, clipping an echoed `token`. */
export function parseError(code: ParseErrorCode, params: Record<string, string | number> = {}): ParseError {
  const error: Record<string, string | number> = { ...params, code };
  const token = params['token'];
  if (typeof token === 'string' && token.length > MAX_ERROR_TOKEN) {
    error['token'] = Array.from(token).slice(0, MAX_ERROR_TOKEN).join('');
  }
  return error as ParseError;
}

export const fail = <T = never>(code: ParseErrorCode, params: Record<string, string | number> = {}): Result<T> => ({
  ok: false,
  error: parseError(code, params),
});
