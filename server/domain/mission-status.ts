/**
 * A mission's states, defined once: the database enum (db/schema.ts), the REST schemas, the state
 * machine and the overlay all read this list. It imports nothing, so the schema can use it
 * without pulling in any of the server.
 */
export const MISSION_STATUSES = ['pending', 'open', 'closed', 'succeeded', 'failed', 'cancelled', 'rejected'] as const;
export type MissionStatus = (typeof MISSION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly MissionStatus[] = ['succeeded', 'failed', 'cancelled', 'rejected'];
