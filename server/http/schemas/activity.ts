/** The audit trail over REST: one entry per recorded action, newest first. */
import { Type, type Static } from '@sinclair/typebox';
import { ACTIVITY_ACTIONS, ACTIVITY_SOURCES } from '../../domain/activity.js';
import { Cursor, MissionNumber, Nullable, PlainText, Timestamp } from './common.js';
import { TwitchLogin } from '../../domain/twitch-login.js';
import { ActorRef } from '../../domain/types.js';

/** One of `values`, typed as their union (a plain `Type.Union` over a mapped array would be `string`). */
const literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));

export const ActivityActionSchema = literals(ACTIVITY_ACTIONS);
export const ActivitySourceSchema = literals(ACTIVITY_SOURCES);

/** A person (or the system) named by an entry: the same reference a mission's `resolvedBy` uses. */
export const ActivityPerson = ActorRef;

export const ActivityEntry = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  action: ActivityActionSchema,
  source: ActivitySourceSchema,
  actor: ActivityPerson,
  missionNumber: Nullable(Type.Integer()),
  /** The viewer an action was about (points given or taken), when there is one. */
  subject: Nullable(ActivityPerson),
  amount: Nullable(Type.Integer()),
  reason: Nullable(Type.String()),
  /**
   * What else the action needs to be understood, by action: `settings.changed` has
   * `{ changes: [{ key, before, after }] }`, `mission.extended` `{ deadline }`,
   * `token.issued`/`token.revoked` `{ tokenId, role }`, `session.*` `{ sessionId }`.
   */
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
});
export type ActivityEntry = Static<typeof ActivityEntry>;

export const ActivityList = Type.Object({ items: Type.Array(ActivityEntry), nextCursor: Nullable(Cursor) });

export const ActivityQuery = Type.Object(
  {
    action: Type.Optional(ActivityActionSchema),
    source: Type.Optional(ActivitySourceSchema),
    /** Login of the person who acted. */
    actor: Type.Optional(TwitchLogin),
    mission: Type.Optional(MissionNumber),
    since: Type.Optional(PlainText({ maxLength: 40, description: 'ISO 8601 date or timestamp, inclusive' })),
    until: Type.Optional(PlainText({ maxLength: 40, description: 'ISO 8601 date or timestamp, exclusive' })),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
