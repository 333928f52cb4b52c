/** Which actions a mission offers, and whether the signed-in user may take them (and why not). */
import type { Role } from '../api/types.js';
import type { BoardMission } from './store.js';

export type ActionKind = 'approve' | 'reject' | 'success' | 'fail' | 'cancel' | 'extend';

/** Verdict-like actions ask for confirmation (they move or refund points). */
export const CONFIRMED: ReadonlySet<ActionKind> = new Set(['reject', 'success', 'fail', 'cancel', 'extend']);
export const WITH_REASON: ReadonlySet<ActionKind> = new Set(['reject', 'cancel']);
const JUDGING: ReadonlySet<ActionKind> = new Set(['success', 'fail']);

export function actionsFor(mission: BoardMission): ActionKind[] {
  switch (mission.status) {
    case 'pending':
      return ['approve', 'reject'];
    case 'open':
      return ['success', 'fail', 'cancel', 'extend'];
    case 'closed':
      return ['success', 'fail', 'extend'];
    default:
      return [];
  }
}

export interface Permission {
  allowed: boolean;
  /** A key of the localised `blocked` strings. */
  reason: string | null;
}

export interface Viewer {
  role: Role | null;
  busy: boolean;
  resolverMustNotHavePledged: boolean;
}

export function permission(mission: BoardMission, action: ActionKind, viewer: Viewer): Permission {
  if (viewer.busy) return { allowed: false, reason: 'BUSY' };
  if (viewer.role === null) return { allowed: false, reason: 'ROLE' };
  if (JUDGING.has(action)) {
    // The server's answer wins; without one, the rule as the channel states it.
    // A "not in this state" answer is stale once the mission is open or closed (it was pending).
    const judge = mission.judge && !(blockCode(mission.judge) === 'STATUS' && (mission.status === 'open' || mission.status === 'closed')) ? mission.judge : undefined;
    if (judge && !judge.allowed) return { allowed: false, reason: blockCode(judge) };
    if (!judge && viewer.role === 'moderator' && viewer.resolverMustNotHavePledged && (mission.yourPledge ?? 0) > 0) {
      return { allowed: false, reason: 'PLEDGED' };
    }
  }
  return { allowed: true, reason: null };
}

/** A localisable code for the server's refusal; its own sentence when it is none we know. */
function blockCode(block: NonNullable<BoardMission['judge']>): string {
  if (block.code) return block.code;
  if (block.reason === null || /pledged/i.test(block.reason)) return 'PLEDGED';
  if (/only an open or closed mission/i.test(block.reason)) return 'STATUS';
  return block.reason;
}
