/**
 * Resource shapes shared by the REST API, the event bus, the overlay protocol and the bot.
 * Each TypeBox schema is the source: the REST responses are validated and documented from it, and
 * the TypeScript type is derived from it, so the two cannot drift.
 * More fields are welcome; the ones listed in the spec are fixed.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MISSION_STATUSES } from './mission-status.js';

export { MISSION_STATUSES, TERMINAL_STATUSES, type MissionStatus } from './mission-status.js';

/** ISO 8601 timestamp. */
export const Timestamp = Type.String({ format: 'date-time' });

/** `T` or `null`. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const MissionStatusSchema = Type.Union(MISSION_STATUSES.map((s) => Type.Literal(s)));

/** A viewer reference without balances, as embedded in missions and pledges. */
export const ViewerRef = Type.Object({ userId: Type.String(), login: Type.String(), displayName: Type.String() }, { title: 'ViewerRef' });
export type ViewerRef = Static<typeof ViewerRef>;

export const Viewer = Type.Object(
  {
    userId: Type.String(),
    login: Type.String(),
    displayName: Type.String(),
    balance: Type.Integer(),
    inEscrow: Type.Integer(),
  },
  { title: 'Viewer' },
);
export type ViewerDto = Static<typeof Viewer>;

/**
 * Who did something to a mission, as the journal and the mission row record it: a chat user (also
 * a broadcaster or moderator signed in to the dashboard), the admin, a dashboard API token, or
 * the system (timers). `userId`, `login` and `displayName` are set for `user` only, `tokenId`
 * for `token` only.
 */
export const ActorRef = Type.Object(
  {
    kind: Type.Union([Type.Literal('user'), Type.Literal('admin'), Type.Literal('token'), Type.Literal('system')]),
    userId: Nullable(Type.String()),
    login: Nullable(Type.String()),
    displayName: Nullable(Type.String()),
    tokenId: Nullable(Type.Integer()),
  },
  { title: 'ActorRef' },
);
export type ActorRefDto = Static<typeof ActorRef>;

export const Mission = Type.Object(
  {
    number: Type.Integer(),
    text: Type.String(),
    status: MissionStatusSchema,
    /** Escrow while unsettled; after settlement the amount that was at stake. */
    pot: Type.Integer(),
    /** Distinct pledgers. */
    backers: Type.Integer(),
    proposer: ViewerRef,
    createdAt: Timestamp,
    openedAt: Nullable(Timestamp),
    deadline: Nullable(Timestamp),
    resolvedAt: Nullable(Timestamp),
    settled: Type.Boolean(),
    reason: Nullable(Type.String()),
    /** The latest backer, for the overlay. */
    newestBacker: Nullable(ViewerRef),
    /** Deadline of the verdict grace period while `closed`. */
    graceEndsAt: Nullable(Timestamp),
    /** End of the approval window while `pending`. */
    pendingExpiresAt: Nullable(Timestamp),
    /**
     * The time limit the mission was proposed with, in seconds (the deadline counts from the
     * opening; an extension moves the deadline, not this). Absent in live overlay and event frames.
     */
    durationSeconds: Type.Optional(Type.Integer()),
    /** When the deadline closed the mission (null while it has not, or after an extension reopened it). */
    closedAt: Type.Optional(Nullable(Timestamp)),
    /** When the last pledge was refunded or paid out. */
    settledAt: Type.Optional(Nullable(Timestamp)),
    /** Who gave the verdict (or rejected, cancelled); the system for timers. Null until resolved. */
    resolvedBy: Type.Optional(Nullable(ActorRef)),
  },
  { title: 'Mission' },
);
export type MissionDto = Static<typeof Mission>;

export const SettlementSchema = Nullable(Type.Union([Type.Literal('refunded'), Type.Literal('paid')]));
export type Settlement = Static<typeof SettlementSchema>;

export const Pledge = Type.Object(
  {
    id: Type.Integer(),
    missionNumber: Type.Integer(),
    viewer: ViewerRef,
    amount: Type.Integer(),
    createdAt: Timestamp,
    settlement: SettlementSchema,
  },
  { title: 'Pledge' },
);
export type PledgeDto = Static<typeof Pledge>;

/**
 * What one or more committed pledges did to one mission. The bus's pledge event, the overlay's
 * pledge message and the dashboard board's pledge frame all carry exactly these fields.
 */
export const PledgeTotals = Type.Object({
  missionNumber: Type.Integer(),
  /** Pledges counted (≥ 1; a coalesced message sums several events). */
  count: Type.Integer(),
  /** Points those pledges added. */
  amount: Type.Integer(),
  /** Viewers who backed this mission for the first time with those pledges. */
  newBackers: Type.Integer(),
  /** Totals after the pledges. */
  pot: Type.Integer(),
  backers: Type.Integer(),
  newestBacker: ViewerRef,
});
export type PledgeTotals = Static<typeof PledgeTotals>;

/** The terminal statuses a verdict can reach: the bus's resolved event and the board's resolved frame. */
export const ResolvedOutcome = Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('rejected')]);
export type ResolvedOutcome = Static<typeof ResolvedOutcome>;
