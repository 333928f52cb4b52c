import type { UsageKey } from '../parse/command.js';
import type { ParseErrorCode } from '../../server/domain/grammar/result.js';
import type { DomainErrorCode } from '../../server/domain/errors.js';

/**
 * Every reply the bot can send, with the parameters each needs (`name?` = optional). The
 * tables are the single source of truth: `MessageKey` and the per-key parameter types are
 * derived from them, and each locale's catalog must cover every key (see `Catalog`).
 * Every key also accepts `user` (the addressee, rendered as `@user`) and `currency`.
 */
export const EVENT_PARAMS = {
  proposed: ['number', 'text', 'user', 'amount'],
  proposedOpen: ['number', 'text', 'user', 'amount', 'timeLeftMs?'],
  opened: ['number', 'timeLeftMs?'],
  pledged: ['user', 'amount', 'number', 'pot'],
  /** `count`: pledges (or new backers) summarised by this reply. */
  pledgesCoalesced: ['number', 'count', 'pot'],
  balance: ['user', 'balance', 'inEscrow?'],
  /** The broadcaster's own `!points`: their wallet and the channel's earnings (the treasury). */
  balanceBroadcaster: ['user', 'balance', 'inEscrow?', 'treasury'],
  missionInfo: ['number', 'text', 'status', 'pot', 'backers', 'timeLeftMs?'],
  /** `pending`: set (any value) for a mission that still awaits a moderator's approval. */
  missionListItem: ['number', 'text', 'pot', 'timeLeftMs?', 'pending?'],
  /** `items`: pre-rendered `missionListItem`s; `more`: how many did not fit. */
  missionList: ['items', 'more?'],
  noOpenMissions: [],
  success: ['number', 'pot'],
  failed: ['number', 'backers', 'pot'],
  /** Deadline reached: closed, waiting for a verdict during `graceMs`. */
  expired: ['number', 'graceMs?'],
  rejected: ['number', 'pot', 'reason?'],
  cancelled: ['number', 'backers', 'pot', 'reason?'],
  extended: ['number', 'timeLeftMs'],
  pendingTimedOut: ['number', 'pot'],
  paused: [],
  resumed: [],
  granted: ['target', 'amount', 'balance?'],
  taken: ['target', 'amount', 'balance?'],
} as const satisfies Record<string, readonly string[]>;

/** One reply per domain error code, with the params server/domain/errors.ts attaches. */
export const DOMAIN_ERROR_PARAMS = {
  VALIDATION: [],
  CHANNEL_NOT_FOUND: ['channel'],
  CHANNEL_EXISTS: ['channel'],
  MISSION_NOT_FOUND: ['number'],
  MISSION_NOT_OPEN: ['number', 'status'],
  MISSION_NOT_PENDING: ['number', 'status'],
  INVALID_TRANSITION: ['number', 'status', 'action'],
  INSUFFICIENT_FUNDS: ['balance', 'needed'],
  STAKE_TOO_LOW: ['amount', 'minimum'],
  PLEDGE_TOO_HIGH: ['amount', 'maximum'],
  TOO_MANY_OPEN_MISSIONS: ['limit'],
  TOO_MANY_OPEN_MISSIONS_FOR_VIEWER: ['limit'],
  DURATION_OUT_OF_RANGE: ['durationMs', 'minMs', 'maxMs'],
  BLOCKED_WORDS: [],
  COOLDOWN: ['retryAfterMs'],
  MISSIONS_PAUSED: [],
  RESOLVER_HAS_PLEDGED: ['number'],
  FORBIDDEN: [],
  UNAUTHORIZED: [],
  VIEWER_NOT_FOUND: ['login'],
  IDEMPOTENCY_CONFLICT: [],
  OVERLOADED: [],
  BALANCE_LIMIT: ['maximum'],
} as const satisfies Record<DomainErrorCode, readonly string[]>;

/** One reply per grammar error code, with the params its message reads (bot/parse attaches more). */
export const PARSE_ERROR_PARAMS = {
  AMOUNT_MISSING: [],
  AMOUNT_INVALID: ['token'],
  AMOUNT_ZERO: [],
  AMOUNT_NEGATIVE: [],
  AMOUNT_NOT_INTEGER: ['token'],
  AMOUNT_NOT_WHOLE: ['token'],
  AMOUNT_TOO_LARGE: ['max'],
  AMOUNT_NOT_ABSOLUTE: [],
  PERCENT_OUT_OF_RANGE: ['min', 'max'],
  DURATION_MISSING: [],
  DURATION_INVALID: ['token'],
  DURATION_NO_UNIT: ['token'],
  DURATION_ZERO: [],
  DURATION_TOO_SHORT: ['minMs'],
  DURATION_TOO_LONG: ['maxMs'],
  NUMBER_MISSING: [],
  NUMBER_INVALID: ['token'],
  TARGET_MISSING: [],
  TARGET_INVALID: ['token'],
  TEXT_EMPTY: [],
  TEXT_TOO_LONG: ['length', 'max'],
  UNEXPECTED_ARGUMENT: ['token'],
} as const satisfies Record<ParseErrorCode, readonly string[]>;

/** One usage line per command; no params besides `user`. */
export const USAGE_PARAMS = {
  'usage.propose': [],
  'usage.show': [],
  'usage.list': [],
  'usage.pledge': [],
  'usage.balance': [],
  'usage.approve': [],
  'usage.reject': [],
  'usage.success': [],
  'usage.fail': [],
  'usage.cancel': [],
  'usage.extend': [],
  'usage.give': [],
  'usage.take': [],
  'usage.pause': [],
  'usage.resume': [],
} as const satisfies Record<UsageKey, readonly []>;

export const MESSAGE_PARAMS = { ...EVENT_PARAMS, ...DOMAIN_ERROR_PARAMS, ...PARSE_ERROR_PARAMS, ...USAGE_PARAMS };

export type MessageKey = keyof typeof MESSAGE_PARAMS;
export type EventKey = keyof typeof EVENT_PARAMS;

type Spec<K extends MessageKey> = (typeof MESSAGE_PARAMS)[K][number];
type StripOptional<S> = S extends `${infer N}?` ? N : S;
/** Every parameter name a message may read, including the shared `user` and `currency`. */
export type ParamName<K extends MessageKey> = StripOptional<Spec<K>> | 'user' | 'currency';

export type ParamValue = string | number;

/** The params `translate(locale, key, params)` requires for `key`. */
export type ParamsOf<K extends MessageKey> = {
  readonly [P in Spec<K> as P extends `${string}?` ? never : P]: ParamValue;
} & {
  readonly [P in Spec<K> as P extends `${infer N}?` ? N : never]?: ParamValue | undefined;
} & { readonly user?: string | undefined; readonly currency?: string | undefined };

/** Loose params, for codes only known at run time (domain errors, parse errors). */
export type LooseParams = Readonly<Record<string, ParamValue | undefined>>;

/**
 * What a message function gets: typed accessors over its params that format per locale and
 * render a missing value as `?` rather than crash or leak a placeholder.
 */
export interface Args<N extends string> {
  readonly currency: string;
  /** `@user ` when a `user` param is present, else empty: the prefix of per-user replies. */
  readonly to: string;
  has(name: N): boolean;
  /** The raw value as text (logins, counts, mission numbers: no grouping). */
  s(name: N): string;
  /** Points with thousands separators. */
  pts(name: N): string;
  /** Milliseconds as `1h 30m` / `1시간 30분`. */
  dur(name: N): string;
  /** Mission text or reason, clamped so the reply stays short. */
  text(name: N): string;
  /** An echoed chat token, clamped hard. */
  token(name: N): string;
  /** A mission status or action word in the reply's language. */
  word(name: N): string;
  /** `1 backer` / `23 backers` (the catalog decides whether a language has plurals). */
  count(name: N, one: string, other: string): string;
}

/** A locale's messages: exactly one function per key, checked by the compiler. */
export type Catalog = { readonly [K in MessageKey]: (a: Args<ParamName<K>>) => string };
