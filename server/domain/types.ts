/**
 * Resource shapes shared by the REST API, the event bus, the overlay protocol and the bot.
 * More fields are welcome; the ones listed in the spec are fixed.
 */

import type { MissionStatus } from './mission-status.js';

export { MISSION_STATUSES, TERMINAL_STATUSES, type MissionStatus } from './mission-status.js';

export interface ViewerDto {
  userId: string;
  login: string;
  displayName: string;
  balance: number;
  inEscrow: number;
}

/** A viewer reference without balances, as embedded in missions and pledges. */
export interface ViewerRef {
  userId: string;
  login: string;
  displayName: string;
}

export interface MissionDto {
  number: number;
  text: string;
  status: MissionStatus;
  /** Escrow while unsettled; after settlement the amount that was at stake. */
  pot: number;
  /** Distinct pledgers. */
  backers: number;
  proposer: ViewerRef;
  createdAt: string;
  openedAt: string | null;
  deadline: string | null;
  resolvedAt: string | null;
  settled: boolean;
  reason: string | null;
  /** The latest backer, for the overlay. */
  newestBacker: ViewerRef | null;
  /** Deadline of the verdict grace period while `closed`. */
  graceEndsAt: string | null;
  /** End of the approval window while `pending`. */
  pendingExpiresAt: string | null;
}

export type Settlement = 'refunded' | 'paid' | null;

export interface PledgeDto {
  id: number;
  missionNumber: number;
  viewer: ViewerRef;
  amount: number;
  createdAt: string;
  settlement: Settlement;
}
