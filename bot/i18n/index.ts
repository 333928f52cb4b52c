import type { CommandName } from '../parse/command.js';
import { usageKey } from '../parse/command.js';
import type { ParseError } from '../../server/domain/grammar/result.js';
import type { DomainErrorCode } from '../../server/domain/errors.js';
import { en } from './en.js';
import {
  clampText,
  DEFAULT_CURRENCY,
  formatDuration,
  formatPoints,
  REPLY_MAX,
  REPLY_TEXT_MAX,
  REPLY_TOKEN_MAX,
  type Locale,
} from './format.js';
import type { Args, Catalog, LooseParams, MessageKey, ParamsOf } from './keys.js';
import { ko } from './ko.js';

export { clampText, DEFAULT_CURRENCY, formatDuration, formatPoints, isLocale, josa, LOCALES } from './format.js';
export type { Locale } from './format.js';
export { DOMAIN_ERROR_PARAMS, EVENT_PARAMS, MESSAGE_PARAMS, PARSE_ERROR_PARAMS, USAGE_PARAMS } from './keys.js';
export type { Catalog, EventKey, LooseParams, MessageKey, ParamsOf } from './keys.js';

export const CATALOGS: Readonly<Record<Locale, Catalog>> = { en, ko };

// Mission statuses (server/domain/types.ts) and transition actions, as they read mid-sentence.
const WORDS: Readonly<Record<Locale, Readonly<Record<string, string>>>> = {
  en: {
    pending: 'awaiting approval',
    open: 'open',
    closed: 'closed, awaiting a verdict',
    succeeded: 'succeeded',
    failed: 'failed',
    cancelled: 'cancelled',
    rejected: 'rejected',
    approve: 'approved',
    reject: 'rejected',
    success: 'marked a success',
    fail: 'marked failed',
    cancel: 'cancelled',
    extend: 'extended',
    pledge: 'backed',
    close: 'closed',
  },
  ko: {
    pending: '승인 대기',
    open: '진행 중',
    closed: '마감(판정 대기)',
    succeeded: '성공',
    failed: '실패',
    cancelled: '취소',
    rejected: '거절',
    approve: '승인',
    reject: '거절',
    success: '성공 처리',
    fail: '실패 처리',
    cancel: '취소',
    extend: '연장',
    pledge: '참여',
    close: '마감',
  },
};

const MISSING = '?';

function makeArgs(locale: Locale, params: LooseParams): Args<string> {
  const get = (name: string): string | number | undefined => {
    const value = params[name];
    return value === undefined || value === '' || (typeof value === 'number' && Number.isNaN(value)) ? undefined : value;
  };
  const str = (name: string): string => String(get(name) ?? MISSING);
  const num = (name: string): number | undefined => {
    const value = get(name);
    const n = typeof value === 'number' ? value : Number(value);
    return value === undefined || !Number.isFinite(n) ? undefined : n;
  };
  const user = get('user');
  return {
    currency: String(get('currency') ?? DEFAULT_CURRENCY[locale]),
    to: user === undefined ? '' : `@${String(user).replace(/^@/, '')} `,
    has: (name) => get(name) !== undefined,
    s: str,
    pts: (name) => {
      const n = num(name);
      return n === undefined ? str(name) : formatPoints(n, locale);
    },
    dur: (name) => {
      const n = num(name);
      return n === undefined ? str(name) : formatDuration(n, locale);
    },
    text: (name) => clampText(str(name), REPLY_TEXT_MAX),
    token: (name) => clampText(str(name), REPLY_TOKEN_MAX),
    word: (name) => WORDS[locale][str(name)] ?? str(name),
    count: (name, one, other) => {
      const n = num(name);
      return `${n === undefined ? str(name) : formatPoints(n, locale)} ${n === 1 ? one : other}`;
    },
  };
}

// Error replies with no addressee start lower-case in English ("the amount must…").
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Unclamped rendering; public functions clamp the final reply. */
function render(locale: Locale, key: MessageKey, params: LooseParams): string {
  // Run-time codes (domain errors from a newer server…) may be outside the catalog: say nothing
  // rather than throw, and let the caller fall back.
  const catalog = CATALOGS[locale] ?? CATALOGS.en;
  const message = catalog[key] as ((a: Args<string>) => string) | undefined;
  return message === undefined ? '' : capitalise(message(makeArgs(locale, params)));
}

/**
 * Renders one reply. Params are checked per key at compile time; a missing value renders as
 * `?`, and the result is always under 500 characters. `user` adds the `@user` prefix to
 * per-user replies, `currency` overrides the locale's default currency name.
 */
export function translate<K extends MessageKey>(
  locale: Locale,
  key: K,
  // `{} extends P` asks "are all of P's fields optional?", which makes `params` optional; `{}` is meant.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  ...[params]: {} extends ParamsOf<K> ? [params?: ParamsOf<K>] : [params: ParamsOf<K>]
): string {
  return clampText(render(locale, key, (params ?? {}) as LooseParams), REPLY_MAX);
}

/** The reply for a domain error (`err.code`, `err.params` from server/domain/errors.ts). */
export function translateError(
  locale: Locale,
  error: { readonly code: DomainErrorCode; readonly params?: LooseParams },
  extra: LooseParams = {},
): string {
  return clampText(render(locale, error.code, { ...error.params, ...extra }), REPLY_MAX);
}

/**
 * The one reply for a malformed command: what was wrong, then the usage line.
 * `extra` carries `user` and `currency`.
 */
export function translateParseFailure(
  locale: Locale,
  failure: { readonly command: CommandName; readonly error: ParseError },
  extra: LooseParams = {},
): string {
  const what = render(locale, failure.error.code, { ...failure.error, ...extra });
  const usage = render(locale, usageKey(failure.command), {});
  return clampText(`${what} — ${usage}`, REPLY_MAX);
}

export interface MissionListEntry {
  readonly number: number;
  readonly text: string;
  readonly pot: number;
  readonly timeLeftMs?: number | undefined;
  /** Awaiting a moderator's approval (listed after the open ones, marked). */
  readonly pending?: boolean | undefined;
}

/**
 * `!missions`: entries in the given order (biggest pots first is the caller's choice), as many
 * as fit one chat message, then "+N more"; `noOpenMissions` when empty. Pending ones are marked.
 */
export function formatMissionList(
  locale: Locale,
  entries: readonly MissionListEntry[],
  options: { readonly currency?: string | undefined; readonly maxLength?: number; readonly link?: string | undefined } = {},
): string {
  const { currency, link } = options;
  const limit = Math.min(options.maxLength ?? REPLY_MAX, REPLY_MAX);
  // The link is never cut (a cut URL leads nowhere): the list gives up room for it, and one too
  // long to leave room for a list is left out.
  const tail = link !== undefined && link.length <= limit / 2 ? ` ${link}` : '';
  const withTail = (text: string) => `${text}${tail}`;
  const maxLength = limit - tail.length;
  if (entries.length === 0) return withTail(clampText(translate(locale, 'noOpenMissions', { currency }), maxLength));
  const items = entries.map((e) => render(locale, 'missionListItem', { ...e, pending: e.pending ? 1 : undefined, currency }));
  const line = (shown: number): string => {
    const more = items.length - shown;
    return render(locale, 'missionList', {
      items: items.slice(0, shown).join(' · '),
      more: more > 0 ? more : undefined,
      currency,
    });
  };
  let shown = items.length;
  while (shown > 1 && line(shown).length > maxLength) shown--;
  return withTail(clampText(line(shown), maxLength));
}
