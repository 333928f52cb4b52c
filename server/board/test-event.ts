/**
 * The overlay test event: a made-up mission that opens, gets a burst of pledges and succeeds, as
 * events for the overlays of one channel. Built here, shown by the overlay hub to the overlays
 * connected right now, and never published on the bus: no ledger row, no chat line.
 */
import type { MissionDto, ViewerRef } from '../domain/types.js';
import type { DomainEvent } from '../events/types.js';

/** Test missions are numbered from here, far above real ones, so they never share a card. */
export const TEST_MISSION_BASE = 90_000;

const BACKERS: ViewerRef[] = [
  { userId: 'test-1', login: 'test_viewer_one', displayName: 'TestViewerOne' },
  { userId: 'test-2', login: 'test_viewer_two', displayName: 'TestViewerTwo' },
  { userId: 'test-3', login: 'test_viewer_three', displayName: 'TestViewerThree' },
];

export function testMissionEvents(channel: string, number: number, now: Date): { opening: DomainEvent[]; verdict: DomainEvent } {
  const at = now.toISOString();
  const mission: MissionDto = {
    number,
    text: 'Test mission: this is how a mission looks on stream',
    status: 'open',
    pot: 0,
    backers: 0,
    proposer: BACKERS[0]!,
    createdAt: at,
    openedAt: at,
    deadline: new Date(now.getTime() + 5 * 60_000).toISOString(),
    resolvedAt: null,
    settled: false,
    reason: null,
    newestBacker: null,
    graceEndsAt: null,
    pendingExpiresAt: null,
  };
  const opening: DomainEvent[] = [{ type: 'mission', channel, at, change: 'opened', mission }];
  let pot = 0;
  BACKERS.forEach((viewer, i) => {
    const amount = 100 * (i + 1);
    pot += amount;
    opening.push({ type: 'pledge', channel, at, missionNumber: number, count: 1, amount, newBackers: 1, pot, backers: i + 1, newestBacker: viewer });
  });
  const final: MissionDto = { ...mission, status: 'succeeded', pot, backers: BACKERS.length, newestBacker: BACKERS[BACKERS.length - 1]!, resolvedAt: at, settled: true };
  return { opening, verdict: { type: 'resolved', channel, at, outcome: 'succeeded', cause: 'verdict', mission: final } };
}
