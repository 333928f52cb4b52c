/**
 * A channel's API tokens and signed-in dashboard sessions over REST. No secret is ever part of
 * a list: a token's secret appears once, in the answer to the request that issued it, and a
 * session's cookie value never leaves the browser that holds it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_INT4 } from '../../domain/bounds.js';
import { ChannelParam, ListOf, Nullable, PlainText, StrictObject, Timestamp } from './common.js';

export const ApiToken = Type.Object(
  {
    id: Type.Integer(),
    role: Type.Union([Type.Literal('moderator'), Type.Literal('owner'), Type.Literal('bot')]),
    label: Nullable(Type.String()),
    createdAt: Timestamp,
    /** Null while the token works. */
    revokedAt: Nullable(Timestamp),
  },
  { title: 'ApiToken' },
);
export type ApiToken = Static<typeof ApiToken>;

export const ApiTokenList = ListOf(ApiToken);

export const IssueTokenBody = StrictObject(
  {
    role: Type.Union([Type.Literal('moderator'), Type.Literal('owner')]),
    label: Type.Optional(PlainText({ minLength: 1, maxLength: 100, description: 'What the token is for, e.g. "stream deck"' })),
  },
  { title: 'IssueToken' },
);
export type IssueTokenBody = Static<typeof IssueTokenBody>;

/**
 * A freshly issued token. `token` is the secret, sent once: a request repeated with the same
 * `Idempotency-Key` gets the token's record without it (200 instead of 201).
 */
export const IssuedApiToken = Type.Composite([ApiToken, Type.Object({ token: Type.Optional(Type.String()) })], { title: 'IssuedApiToken' });

export const DashboardSession = Type.Object(
  {
    id: Type.Integer(),
    userId: Type.String(),
    login: Type.String(),
    displayName: Nullable(Type.String()),
    /** The role the session holds in this channel. */
    role: Type.Union([Type.Literal('owner'), Type.Literal('moderator')]),
    /** When the person signed in. */
    createdAt: Timestamp,
    expiresAt: Timestamp,
    /** True for the session that made this request. */
    current: Type.Boolean(),
  },
  { title: 'DashboardSessionEntry' },
);
export type DashboardSession = Static<typeof DashboardSession>;

export const DashboardSessionList = ListOf(DashboardSession);

export const TokenParams = StrictObject({ channel: ChannelParam, id: Type.Integer({ minimum: 1, maximum: MAX_INT4 }) });
export const SessionParams = StrictObject({ channel: ChannelParam, id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
