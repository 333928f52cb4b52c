/**
 * The dashboard's board client without a browser: the store draws at most ten times a second
 * however many frames arrive, and the feed resumes from its last sequence number within the
 * server's stream, drops replays it already applied, and resumes on a gap.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openBoardFeed, type FeedMessage, type FeedState } from '../../dashboard/src/api/board-feed.js';
import { permission } from '../../dashboard/src/board/actions.js';
import { createBoardStore, NOTIFY_INTERVAL_MS, type BoardMission } from '../../dashboard/src/board/store.js';

const mission = (number: number, extra: Partial<BoardMission> = {}): BoardMission => ({
  number, text: `Mission ${number}`, status: 'open', pot: 100, backers: 1,
  proposer: { userId: '1', login: 'alice', displayName: 'alice' },
  createdAt: '2026-01-01T00:00:00.000Z', openedAt: '2026-01-01T00:00:00.000Z', deadline: '2026-01-01T00:30:00.000Z',
  resolvedAt: null, settled: false, reason: null, newestBacker: null, graceEndsAt: null, pendingExpiresAt: null, ...extra,
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('board store', () => {
  it('coalesces a storm of frames into at most one redraw per 100 ms, ending on the last totals', () => {
    const store = createBoardStore(() => Date.now());
    const draws: number[] = [];
    store.subscribe(() => draws.push(store.state.active.get(1)!.pot));
    store.apply({ type: 'snapshot', seq: 0, stream: 's', missions: [mission(1)], recent: [] });
    for (let i = 1; i <= 500; i++) {
      store.apply({ type: 'pledge', seq: i, missionNumber: 1, pot: 100 + i, backers: 1 + i });
      vi.advanceTimersByTime(2); // 500 frames over one second
    }
    vi.advanceTimersByTime(NOTIFY_INTERVAL_MS);
    expect(draws.length).toBeLessThanOrEqual(11);
    expect(draws.length).toBeGreaterThanOrEqual(9);
    expect(draws.at(-1)).toBe(600);
    expect(store.state.active.get(1)!.backers).toBe(501);
  });

  it('moves a resolved mission from the board to the recent verdicts, with the totals it brings', () => {
    const store = createBoardStore();
    store.apply({ type: 'snapshot', seq: 0, stream: 's', missions: [mission(1), mission(2)], recent: [] });
    store.apply({ type: 'resolved', seq: 1, mission: mission(1, { status: 'succeeded' }), topBackers: [], totals: { circulating: 0, escrow: 100, treasury: 100, minted: 200 } });
    expect([...store.state.active.keys()]).toEqual([2]);
    expect(store.state.recent.map((m) => m.number)).toEqual([1]);
    expect(store.state.totals?.treasury).toBe(100);
  });
});

describe('judging rule on the board', () => {
  const viewer = { role: 'moderator' as const, busy: false, resolverMustNotHavePledged: true };
  it("follows the server's judgement, keeps cancel open, and drops a pending mission's stale 'not in this state'", () => {
    const pledged = mission(1, { judge: { allowed: false, code: 'PLEDGED', reason: 'You pledged to #1' } });
    expect(permission(pledged, 'success', viewer)).toEqual({ allowed: false, reason: 'PLEDGED' });
    expect(permission(pledged, 'fail', viewer)).toEqual({ allowed: false, reason: 'PLEDGED' });
    expect(permission(pledged, 'cancel', viewer).allowed).toBe(true);
    const approved = mission(2, { judge: { allowed: false, code: 'STATUS', reason: '#2 is pending' } });
    expect(permission(approved, 'success', viewer).allowed).toBe(true);
    expect(permission(mission(3, { yourPledge: 50 }), 'success', viewer)).toEqual({ allowed: false, reason: 'PLEDGED' });
    expect(permission(mission(3, { yourPledge: 50 }), 'success', { ...viewer, role: 'owner' }).allowed).toBe(true);
  });
});

/** A stand-in for the browser's WebSocket, driven by the test. */
class FakeSocket {
  static opened: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  closedWith: number | null = null;
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  open() { this.onopen?.(); }
  receive(frame: object) { this.onmessage?.({ data: JSON.stringify(frame) }); }
  close(code = 1000) {
    this.closedWith = code;
    this.onclose?.({ code });
  }
}

describe('board feed', () => {
  const location = { protocol: 'http:', host: 'localhost:3000' } as Location;

  it('resumes from the last applied seq within the stream, skips replays, and resumes on a gap', () => {
    FakeSocket.opened = [];
    vi.stubGlobal('window', { location });
    const applied: FeedMessage[] = [];
    const states: FeedState[] = [];
    const feed = openBoardFeed({
      channel: 'demo',
      onMessage: (m) => applied.push(m),
      onState: (s) => states.push(s),
      socketFactory: (url) => new FakeSocket(url) as unknown as WebSocket,
    });
    const first = FakeSocket.opened[0]!;
    expect(first.url).toBe('ws://localhost:3000/ws/board/demo');
    first.open();
    first.receive({ type: 'snapshot', seq: 4, stream: 'abc', missions: [], recent: [] });
    first.receive({ type: 'pledge', seq: 5, missionNumber: 1 });
    first.close(1006);
    vi.runOnlyPendingTimers();
    const second = FakeSocket.opened[1]!;
    expect(second.url).toBe('ws://localhost:3000/ws/board/demo?since=5&stream=abc');
    second.open();
    second.receive({ type: 'resume', seq: 5, stream: 'abc' });
    second.receive({ type: 'pledge', seq: 5, missionNumber: 1 }); // already applied
    second.receive({ type: 'pledge', seq: 6, missionNumber: 1 });
    second.receive({ type: 'pledge', seq: 9, missionNumber: 1 }); // 7 and 8 missing
    expect(second.closedWith).toBe(4000);
    vi.runOnlyPendingTimers();
    expect(FakeSocket.opened[2]!.url).toBe('ws://localhost:3000/ws/board/demo?since=6&stream=abc');
    expect(applied.filter((m) => m.type === 'pledge').map((m) => m.seq)).toEqual([5, 6]);
    expect(states).toContain('reconnecting');
    expect(feed.lastSeq).toBe(6);
    feed.close();
    vi.unstubAllGlobals();
  });

  it('stops retrying when the server says the user may not see the board', () => {
    FakeSocket.opened = [];
    vi.stubGlobal('window', { location });
    const states: FeedState[] = [];
    openBoardFeed({ channel: 'demo', onMessage: () => {}, onState: (s) => states.push(s), socketFactory: (url) => new FakeSocket(url) as unknown as WebSocket });
    FakeSocket.opened[0]!.close(4403);
    vi.runAllTimers();
    expect(FakeSocket.opened).toHaveLength(1);
    expect(states.at(-1)).toBe('denied');
    vi.unstubAllGlobals();
  });
});
