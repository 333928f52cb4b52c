/**
 * A mission's timeline from what is known about it: its own times and `resolvedBy`, its first
 * pledges, and, when the server keeps one, the audit trail's entries for it (who approved, who
 * extended, who judged). Without the trail every step the mission's row records is still shown,
 * only approvals and extensions lack their author (and extensions are not known at all). Pure.
 */
import type { ActivityEntry, Mission, Pledge, ViewerRef } from '../api/types.js';
import type { Person } from './format.js';

/** Up to this many pledges are listed one by one; more are summarised in one entry. */
export const PLEDGES_LISTED = 5;

export type Verdict = 'succeeded' | 'failed' | 'cancelled' | 'rejected';

export type TimelineEntry =
  /** `via`: who entered the proposal for the proposer (the admin, a token), when not the proposer. */
  | { kind: 'proposed'; at: string; who: Person; via?: Person }
  | { kind: 'openedAtOnce'; at: string }
  | { kind: 'approved'; at: string; who: Person | null }
  | { kind: 'pledge'; at: string; who: ViewerRef; amount: number }
  | { kind: 'pledges'; at: string; backers: number; total: number }
  | { kind: 'extended'; at: string; who: Person | null; deadline?: string }
  | { kind: 'closed'; at: string }
  | { kind: 'verdict'; at: string; verdict: Verdict; who: Person | null; reason: string | null }
  | { kind: 'expired' | 'timedOut'; at: string; reason: string | null }
  | { kind: 'settled'; at: string; paid: boolean; pot: number };

const user = (v: ViewerRef): Person => ({ kind: 'user', login: v.login, displayName: v.displayName, tokenId: null });

const VERDICT_ACTIONS: Record<string, Verdict> = {
  'mission.succeeded': 'succeeded',
  'mission.failed': 'failed',
  'mission.cancelled': 'cancelled',
  'mission.rejected': 'rejected',
};

function fromTrail(entry: ActivityEntry, mission: Mission): TimelineEntry | null {
  const verdict = VERDICT_ACTIONS[entry.action];
  if (verdict) return { kind: 'verdict', at: entry.at, verdict, who: entry.actor, reason: entry.reason };
  switch (entry.action) {
    case 'mission.proposed': {
      // The mission names its proposer; the trail adds who typed it in, when that was someone else.
      const self = entry.actor.kind === 'user' && entry.actor.userId === mission.proposer.userId;
      return { kind: 'proposed', at: entry.at, who: user(mission.proposer), ...(self ? {} : { via: entry.actor }) };
    }
    case 'mission.approved':
      return { kind: 'approved', at: entry.at, who: entry.actor };
    case 'mission.extended': {
      const deadline = entry.details?.deadline;
      return { kind: 'extended', at: entry.at, who: entry.actor, ...(typeof deadline === 'string' ? { deadline } : {}) };
    }
    case 'mission.closed':
      return { kind: 'closed', at: entry.at };
    case 'mission.expired':
      return { kind: 'expired', at: entry.at, reason: entry.reason };
    case 'mission.timed_out':
      return { kind: 'timedOut', at: entry.at, reason: entry.reason };
    default:
      return null;
  }
}

/** What the mission's own row says happened. */
function fromMission(m: Mission): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ kind: 'proposed', at: m.createdAt, who: user(m.proposer) }];
  if (m.openedAt !== null) {
    entries.push(m.openedAt === m.createdAt ? { kind: 'openedAtOnce', at: m.openedAt } : { kind: 'approved', at: m.openedAt, who: null });
  }
  if (m.closedAt) entries.push({ kind: 'closed', at: m.closedAt });
  if (m.resolvedAt !== null && (m.status === 'succeeded' || m.status === 'failed' || m.status === 'cancelled' || m.status === 'rejected')) {
    const by = m.resolvedBy ?? null;
    if (by?.kind === 'system' && m.status === 'failed') entries.push({ kind: 'expired', at: m.resolvedAt, reason: m.reason });
    else if (by?.kind === 'system' && m.status === 'rejected') entries.push({ kind: 'timedOut', at: m.resolvedAt, reason: m.reason });
    else entries.push({ kind: 'verdict', at: m.resolvedAt, verdict: m.status, who: by, reason: m.reason });
  }
  return entries;
}

/** Which fallback entries the trail replaces when it has entries of that kind. */
const GROUP: Partial<Record<TimelineEntry['kind'], string>> = {
  proposed: 'proposed',
  openedAtOnce: 'opened',
  approved: 'opened',
  closed: 'closed',
  verdict: 'end',
  expired: 'end',
  timedOut: 'end',
};

export interface TimelineInput {
  mission: Mission;
  /** The mission's first pledges, oldest first, and whether they are all of them. */
  pledges: Pledge[];
  allPledges: boolean;
  /** The audit trail's entries for this mission, or null when the server has no trail. */
  trail: ActivityEntry[] | null;
}

export function buildTimeline({ mission, pledges, allPledges, trail }: TimelineInput): TimelineEntry[] {
  const trailed = (trail ?? []).map((e) => fromTrail(e, mission)).filter((e): e is TimelineEntry => e !== null);
  const covered = new Set(trailed.map((e) => GROUP[e.kind]).filter(Boolean));
  const entries = [...trailed, ...fromMission(mission).filter((e) => !covered.has(GROUP[e.kind]))];
  if (pledges.length > 0) {
    if (allPledges && pledges.length <= PLEDGES_LISTED) {
      for (const p of pledges) entries.push({ kind: 'pledge', at: p.createdAt, who: p.viewer, amount: p.amount });
    } else {
      entries.push({ kind: 'pledges', at: pledges[0]!.createdAt, backers: mission.backers, total: mission.pot });
    }
  }
  if (mission.settled && mission.settledAt) {
    entries.push({ kind: 'settled', at: mission.settledAt, paid: mission.status === 'succeeded', pot: mission.pot });
  }
  const order = (e: TimelineEntry) => ['proposed', 'openedAtOnce', 'approved', 'pledge', 'pledges', 'extended', 'closed', 'verdict', 'expired', 'timedOut', 'settled'].indexOf(e.kind);
  // Nothing happens before the proposal. The opening pledge is stamped by the database a moment
  // before the mission's own time (the transaction began first), so it sorts as of the proposal.
  const created = Date.parse(mission.createdAt);
  const when = (e: TimelineEntry) => Math.max(Date.parse(e.at), created);
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => when(a.e) - when(b.e) || order(a.e) - order(b.e) || a.i - b.i)
    .map(({ e }) => e);
}
