import { parseAmount, type AmountSpec } from '../../server/domain/grammar/amount.js';
import { parseDuration } from '../../server/domain/grammar/duration.js';
import { fail, ok, type ParseErrorCode, type Result } from '../../server/domain/grammar/result.js';
import { parseMissionText } from '../../server/domain/grammar/text.js';

/** The parts of `!mission <text> [amount] [duration]`. */
export interface Proposal {
  readonly text: string;
  readonly amount?: AmountSpec;
  readonly durationMs?: number;
}

// Failures that mean "this token clearly was an amount/duration, just a bad one": report them
// instead of silently folding the token into the mission text. Anything else (`1.5`, `-5`,
// `pushups`) is ordinary text: "!mission finish in patch 1.5" must stay a proposal.
const AMOUNT_SHAPED: ReadonlySet<ParseErrorCode> = new Set([
  'AMOUNT_ZERO',
  'AMOUNT_NOT_WHOLE',
  'AMOUNT_TOO_LARGE',
  'PERCENT_OUT_OF_RANGE',
]);
const DURATION_SHAPED: ReadonlySet<ParseErrorCode> = new Set(['DURATION_ZERO', 'DURATION_TOO_SHORT', 'DURATION_TOO_LONG']);

const QUOTES: Readonly<Record<string, string>> = { '"': '"', '“': '”', '「': '」' };

/**
 * Splits proposal tokens into text, an optional opening amount and an optional duration.
 *
 * Unquoted: up to two trailing tokens are peeled off, duration preferred (`1m` is one minute
 * there; write `1,000,000` or `1000k` for a million), and only absolute amounts count, because
 * "kill them all", "win the first half" or "finish 100%" are mission texts, not all-in stakes.
 * Quoted (`!mission "get to level 50" all 30m`): the text is exactly what is inside the quotes
 * and every amount form is allowed after it; anything else after the quotes is an error.
 */
export function parseProposal(tokens: readonly string[]): Result<Proposal> {
  const joined = tokens.join(' ');
  const close = QUOTES[joined.charAt(0)];
  const end = close === undefined ? -1 : joined.indexOf(close, 1);
  if (end > 0) {
    const trailing = joined.slice(end + 1).split(' ').filter((t) => t !== '');
    return parseQuoted(joined.slice(1, end), trailing);
  }
  return parseUnquoted([...tokens]);
}

function parseUnquoted(tokens: string[]): Result<Proposal> {
  let amount: AmountSpec | undefined;
  let durationMs: number | undefined;
  for (let i = 0; i < 2; i++) {
    const token = tokens.at(-1);
    if (token === undefined) break;
    if (durationMs === undefined) {
      const d = parseDuration(token);
      if (d.ok) {
        durationMs = d.value;
        tokens.pop();
        continue;
      }
      if (DURATION_SHAPED.has(d.error.code)) return d;
    }
    if (amount === undefined) {
      const a = parseAmount(token);
      if (a.ok && a.value.kind === 'absolute') {
        amount = a.value;
        tokens.pop();
        continue;
      }
      if (!a.ok && AMOUNT_SHAPED.has(a.error.code)) return a;
    }
    break;
  }
  return build(tokens.join(' '), amount, durationMs);
}

function parseQuoted(rawText: string, trailing: string[]): Result<Proposal> {
  if (trailing.length > 2) return fail('UNEXPECTED_ARGUMENT', { token: trailing[2] ?? '' });
  let amount: AmountSpec | undefined;
  let durationMs: number | undefined;
  for (const token of trailing) {
    const d = durationMs === undefined ? parseDuration(token) : undefined;
    if (d?.ok) {
      durationMs = d.value;
      continue;
    }
    if (d && DURATION_SHAPED.has(d.error.code)) return d;
    if (amount !== undefined) return fail('UNEXPECTED_ARGUMENT', { token });
    const a = parseAmount(token);
    if (!a.ok) return a.error.code === 'AMOUNT_INVALID' ? fail('UNEXPECTED_ARGUMENT', { token }) : a;
    amount = a.value;
  }
  return build(rawText, amount, durationMs);
}

function build(rawText: string, amount: AmountSpec | undefined, durationMs: number | undefined): Result<Proposal> {
  const text = parseMissionText(rawText);
  if (!text.ok) return text;
  return ok({
    text: text.value,
    ...(amount === undefined ? {} : { amount }),
    ...(durationMs === undefined ? {} : { durationMs }),
  });
}
