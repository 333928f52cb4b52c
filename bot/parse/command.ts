import {
  aliasLookup,
  COMMAND_ALIASES,
  MISSION_SUBCOMMAND_ALIASES,
  POINTS_SUBCOMMAND_ALIASES,
  type MissionSubcommand,
} from './aliases.js';
import { parseAmount, type AmountSpec } from '../../server/domain/grammar/amount.js';
import { parseDuration } from '../../server/domain/grammar/duration.js';
import { parseProposal } from './proposal.js';
import { fail, parseError, type ParseError, type Result } from '../../server/domain/grammar/result.js';
import { cleanChatText, parseLogin, parseMissionNumber, parseReason } from '../../server/domain/grammar/text.js';

/** Every command the bot understands, after aliases are resolved. */
export const COMMAND_NAMES = [
  'propose',
  'show',
  'list',
  'pledge',
  'balance',
  'approve',
  'reject',
  'success',
  'fail',
  'cancel',
  'extend',
  'give',
  'take',
  'pause',
  'resume',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** What a chat message asks for. Roles are never read from here; they come from IRC tags. */
export type ParsedCommand =
  | { readonly name: 'propose'; readonly text: string; readonly amount?: AmountSpec; readonly durationMs?: number }
  | { readonly name: 'show'; readonly number: number }
  | { readonly name: 'list' }
  | { readonly name: 'pledge'; readonly number: number; readonly amount: AmountSpec }
  | { readonly name: 'balance'; readonly target?: string }
  | { readonly name: 'approve' | 'success' | 'fail'; readonly number: number }
  | { readonly name: 'reject' | 'cancel'; readonly number: number; readonly reason?: string }
  | { readonly name: 'extend'; readonly number: number; readonly durationMs: number }
  | { readonly name: 'give' | 'take'; readonly target: string; readonly amount: number; readonly reason?: string }
  | { readonly name: 'pause' | 'resume' };

/** The i18n key of a command's one-line usage. */
export type UsageKey = `usage.${CommandName}`;

/** Which usage line to show after a malformed `command`. */
export const usageKey = (command: CommandName): UsageKey => `usage.${command}`;

export type ParsedCommandResult =
  | { readonly ok: true; readonly command: ParsedCommand }
  | { readonly ok: false; readonly command: CommandName; readonly usage: UsageKey; readonly error: ParseError };

const TOP_LEVEL = aliasLookup(COMMAND_ALIASES);
const MISSION_SUB = aliasLookup(MISSION_SUBCOMMAND_ALIASES);
const POINTS_SUB = aliasLookup(POINTS_SUBCOMMAND_ALIASES);
const LOOKS_LIKE_NUMBER = /^#?\d+$/;

const success = (command: ParsedCommand): ParsedCommandResult => ({ ok: true, command });
const failure = (command: CommandName, error: ParseError): ParsedCommandResult => ({
  ok: false,
  command,
  usage: usageKey(command),
  error,
});
const unexpected = (command: CommandName, token: string): ParsedCommandResult =>
  failure(command, parseError('UNEXPECTED_ARGUMENT', { token }));

/**
 * Parses one chat message. Returns `null` when the message is not for this bot (no `!`,
 * an unknown command word, a `/me` action) so the bot stays silent; otherwise a command or a
 * usage error naming the command whose usage line to show. Never throws.
 */
export function parseCommand(message: string): ParsedCommandResult | null {
  if (typeof message !== 'string') return null;
  // Raw CTCP ACTION (/me): chat flavour text, even when it happens to contain "!pledge".
  if (message.trimStart().startsWith('\u0001ACTION')) return null;
  const clean = cleanChatText(message);
  if (!clean.startsWith('!')) return null;
  const [head = '', ...args] = clean.split(' ');
  switch (TOP_LEVEL.get(head.slice(1).toLowerCase())) {
    case 'mission':
      return parseMission(args);
    case 'missions':
      // Read-only and harmless, so trailing words ("!missions pls") are ignored.
      return success({ name: 'list' });
    case 'pledge':
      return parsePledge(args);
    case 'points':
      return parsePoints(args);
    case undefined:
      return null;
  }
}

function parseMission(args: string[]): ParsedCommandResult {
  const [first, ...rest] = args;
  const sub = first === undefined ? undefined : MISSION_SUB.get(first.toLowerCase());
  if (sub !== undefined) return parseMissionSubcommand(sub, rest);
  // `!mission 3` shows #3; `!mission 3 kills in a row` is a proposal that starts with a number.
  if (first !== undefined && rest.length === 0 && LOOKS_LIKE_NUMBER.test(first)) {
    const number = parseMissionNumber(first);
    return number.ok ? success({ name: 'show', number: number.value }) : failure('show', number.error);
  }
  const proposal = parseProposal(args);
  return proposal.ok ? success({ name: 'propose', ...proposal.value }) : failure('propose', proposal.error);
}

function parseMissionSubcommand(sub: MissionSubcommand, args: string[]): ParsedCommandResult {
  if (sub === 'pause' || sub === 'resume') {
    return args[0] === undefined ? success({ name: sub }) : unexpected(sub, args[0]);
  }
  const [numberToken, ...rest] = args;
  const number = parseMissionNumber(numberToken);
  if (!number.ok) return failure(sub, number.error);
  switch (sub) {
    case 'approve':
    case 'success':
    case 'fail':
      return rest[0] === undefined ? success({ name: sub, number: number.value }) : unexpected(sub, rest[0]);
    case 'reject':
    case 'cancel': {
      const reason = parseReason(rest.join(' '));
      return success(reason === undefined ? { name: sub, number: number.value } : { name: sub, number: number.value, reason });
    }
    case 'extend': {
      // `1h 30m` arrives as two tokens; the duration grammar ignores the space.
      const duration = parseDuration(rest.join(' '));
      return duration.ok
        ? success({ name: 'extend', number: number.value, durationMs: duration.value })
        : failure('extend', duration.error);
    }
  }
}

function parsePledge(args: string[]): ParsedCommandResult {
  const [numberToken, amountToken, extra] = args;
  const number = parseMissionNumber(numberToken);
  if (!number.ok) return failure('pledge', number.error);
  const amount = parseAmount(amountToken ?? '');
  if (!amount.ok) return failure('pledge', amount.error);
  if (extra !== undefined) return unexpected('pledge', extra);
  return success({ name: 'pledge', number: number.value, amount: amount.value });
}

function parsePoints(args: string[]): ParsedCommandResult {
  const [first, ...rest] = args;
  if (first === undefined) return success({ name: 'balance' });
  // An explicit `@give` is the viewer named "give", not the sub-command.
  const sub = POINTS_SUB.get(first.toLowerCase());
  if (sub !== undefined) return parseGrant(sub, rest);
  const target = parseLogin(first);
  if (!target.ok) return failure('balance', target.error);
  if (rest[0] !== undefined) return unexpected('balance', rest[0]);
  return success({ name: 'balance', target: target.value });
}

/**
 * A reason may follow the amount (`!points give @bob 500 raffle winner`), but not one that starts
 * like a number or an amount: `!points give @bob 1 000` or `… 5 6` is more likely a mistyped
 * amount than a reason, so it stays a usage error rather than a grant of 1 or 5.
 */
const LOOKS_LIKE_AMOUNT = /^[-+.,\d]/;

function parseGrant(name: 'give' | 'take', args: string[]): ParsedCommandResult {
  const [targetToken, amountToken, extra, ...more] = args;
  const target = parseLogin(targetToken);
  if (!target.ok) return failure(name, target.error);
  const amount = absoluteAmount(amountToken);
  if (!amount.ok) return failure(name, amount.error);
  if (extra === undefined) return success({ name, target: target.value, amount: amount.value });
  if (LOOKS_LIKE_AMOUNT.test(extra) || parseAmount(extra).ok) return unexpected(name, extra);
  const reason = parseReason([extra, ...more].join(' '));
  return success(reason === undefined ? { name, target: target.value, amount: amount.value } : { name, target: target.value, amount: amount.value, reason });
}

function absoluteAmount(token: string | undefined): Result<number> {
  const amount = parseAmount(token ?? '');
  if (!amount.ok) return amount;
  if (amount.value.kind !== 'absolute') {
    return fail('AMOUNT_NOT_ABSOLUTE', { token: token ?? '' });
  }
  return { ok: true, value: amount.value.value };
}
