/**
 * The audit trail's vocabulary, defined once: what was done and where it came from. The
 * database column, the REST schema, the services that record actions and the dashboard read
 * these lists. It imports nothing, so the schema can use it without pulling in the server.
 */
export const ACTIVITY_ACTIONS = [
  'mission.proposed',
  'mission.approved',
  'mission.rejected',
  'mission.succeeded',
  'mission.failed',
  'mission.cancelled',
  'mission.extended',
  /** The deadline passed (the worker closed it; a verdict is still accepted during the grace). */
  'mission.closed',
  /** The grace period after the deadline ended with no verdict: refunded. */
  'mission.expired',
  /** Nobody approved the proposal in time: refunded. */
  'mission.timed_out',
  'points.given',
  'points.taken',
  'points.imported',
  'settings.changed',
  'channel.created',
  'channel.paused',
  'channel.resumed',
  'overlay.key_rotated',
  'session.signed_in',
  'session.signed_out',
  'session.revoked',
  'token.issued',
  'token.revoked',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

/**
 * Where an action came from: `chat` (a chat command, read by this service's bot or relayed by a
 * bot token), `dashboard` (a signed-in browser session), `api` (an API or admin token),
 * `worker` (a timer or job), `cli` (a command run on the server, e.g. a points import).
 */
export const ACTIVITY_SOURCES = ['chat', 'dashboard', 'api', 'worker', 'cli'] as const;
export type ActivitySource = (typeof ACTIVITY_SOURCES)[number];
