/**
 * Schema building blocks shared by every route and by the tests. Request bodies are validated
 * strictly (no type coercion; objects built with `StrictObject` refuse unknown fields), so a
 * string "100" for an amount, or an amount beyond `MAX_AMOUNT`, is a 400 rather than a guess.
 */
import { MAX_AMOUNT, MAX_INT4 } from '../../domain/bounds.js';
import { Type, type Static, type TObject, type TProperties, type TSchema, type ObjectOptions } from '@sinclair/typebox';
import { TwitchLogin } from '../../domain/twitch-login.js';
import { Nullable, Timestamp } from '../../domain/types.js';

/** The string format every name-like body field uses; see `isPlainText`. */
export const PLAIN_TEXT_FORMAT = 'plain-text';

/** A string under the one text rule (`isPlainText`): a request that breaks it gets a 400. */
export const PlainText = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, format: PLAIN_TEXT_FORMAT });

/** Largest amount the API accepts: far below 2^53, so every amount is an exact JS integer. */
export { MAX_AMOUNT } from '../../domain/bounds.js';

/** A positive whole number of points. */
export const Amount = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT, description: 'Points, a whole number' });

/** A mission's per-channel number (`#4` is 4). */
export const MissionNumber = Type.Integer({ minimum: 1, maximum: MAX_INT4, description: 'Mission number' });

/** A channel: the Twitch login, lower case. */
export const ChannelParam = TwitchLogin;

/** A Twitch login as written in URLs (viewers). */
export const LoginParam = TwitchLogin;

/** An opaque pagination cursor, as returned in `nextCursor`. */
export const Cursor = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_\\-.~]+$' });

export { Nullable, Timestamp };

/** An object that refuses unknown fields (use for every request body). */
export function StrictObject<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

export const ChannelParams = StrictObject({ channel: ChannelParam });
export type ChannelParams = Static<typeof ChannelParams>;

export const MissionParams = StrictObject({ channel: ChannelParam, n: MissionNumber });
export type MissionParams = Static<typeof MissionParams>;

export const CursorQuery = Type.Object({ cursor: Type.Optional(Cursor) });

/** Optional `Idempotency-Key` header accepted by every write. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

/** The one error shape: `{ error: { code, message } }`. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. INSUFFICIENT_FUNDS' }),
      message: Type.String(),
      /** The request body field at fault (`minStake`, `accrual.amount`), when the error is about one. */
      field: Type.Optional(Type.String()),
    }),
  },
  { title: 'Error' },
);
export type ErrorResponse = Static<typeof ErrorResponse>;

/** A page of a list: `{ items, nextCursor }`. */
export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

/** Response schemas for the errors a write can produce, to spread into `schema.response`. */
export const WriteErrors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
  429: ErrorResponse,
  503: ErrorResponse,
} as const;
