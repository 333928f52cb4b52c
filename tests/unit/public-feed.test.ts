/**
 * The public board feed's limits, on fake sockets and a manual clock: caps per channel and per
 * address (a slot frees when a socket closes), the ping budget (refilled over time), the
 * bad-frame cap, one snapshot a second per socket, one shared snapshot read for a crowd, and the
 * heartbeat that cuts a silent socket. The signed-in board feed keeps none of these caps.
 */
import { describe, expect, it } from 'vitest';
import { createBoardFeed } from '../../server/board/feed.js';
import { createPublicFeed, PUBLIC_FEED_LIMITS } from '../../server/board/public-routes.js';
import type { PublicBoardSnapshot } from '../../server/services/board-view.js';
import { fakeBus, fakeTime, FakeSocket } from '../support/fakes.js';

const snapshot: PublicBoardSnapshot = { channel: { login: 'c', displayName: null, missionsPaused: false, currencyName: 'pts', locale: 'en' }, missions: [], recent: [] };
const settle = () => new Promise((resolve) => setImmediate(resolve));
const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined };

function setup(limits: Partial<typeof PUBLIC_FEED_LIMITS> = {}) {
  const time = fakeTime();
  let loads = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const feed = createPublicFeed({
    bus: fakeBus(),
    logger,
    now: time.now,
    schedule: time.schedule,
    limits,
    loadSnapshot: async () => {
      loads += 1;
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return snapshot;
    },
  });
  const attach = (address = '10.0.0.1', channel = 'c') => {
    const socket = new FakeSocket();
    feed.attach(channel, socket, {}, undefined, address);
    return socket;
  };
  return {
    feed,
    time,
    attach,
    loads: () => loads,
    holdLoads: () => (hold = true),
    releaseLoads: () => {
      hold = false;
      release?.();
    },
  };
}

const snapshots = (s: FakeSocket) => s.messages().filter((m) => m.type === 'snapshot').length;

describe('public board feed limits', () => {
  it('caps sockets per address and per channel; a closed socket frees its slot', async () => {
    const { attach, feed } = setup({ maxSocketsPerAddress: 2, maxSocketsPerChannel: 3 });
    const a1 = attach('a');
    const a2 = attach('a');
    const a3 = attach('a');
    expect(a3.closedWith?.code).toBe(1013);
    expect([a1, a2].map((s) => s.readyState)).toEqual([1, 1]);
    const b1 = attach('b');
    const b2 = attach('b');
    expect(b2.closedWith?.code, 'channel full').toBe(1013);
    expect(attach('z', 'other').readyState, 'another channel has its own room').toBe(1);
    a1.close();
    expect(attach('a').readyState).toBe(1);
    expect(feed.clientCount('c')).toBe(3);
    await settle();
    expect(snapshots(b1)).toBe(1);
  });

  it('answers pings within the budget only, and closes a flood', async () => {
    const { attach, time } = setup();
    const s = attach();
    await settle();
    for (let i = 0; i < PUBLIC_FEED_LIMITS.pingBurst; i += 1) s.frame('{"type":"ping"}');
    expect(s.messages().filter((m) => m.type === 'pong')).toHaveLength(PUBLIC_FEED_LIMITS.pingBurst);
    s.frame('{"type":"ping"}');
    expect(s.messages().filter((m) => m.type === 'pong'), 'over budget: no answer').toHaveLength(PUBLIC_FEED_LIMITS.pingBurst);
    time.advance(1_000);
    s.frame('{"type":"ping"}');
    expect(s.messages().filter((m) => m.type === 'pong'), 'refilled').toHaveLength(PUBLIC_FEED_LIMITS.pingBurst + 1);
    for (let i = 0; i < PUBLIC_FEED_LIMITS.maxBadFrames + 1 && s.readyState === 1; i += 1) s.frame('{"type":"ping"}');
    expect(s.closedWith?.code).toBe(1008);
  });

  it('closes a socket after too many frames that are not protocol messages (binary, oversized, junk)', async () => {
    const { attach } = setup();
    const s = attach();
    await settle();
    for (let i = 0; i < PUBLIC_FEED_LIMITS.maxBadFrames; i += 1) s.frame(i % 3 === 0 ? Buffer.from([1, 2, 3]) : i % 3 === 1 ? 'x'.repeat(10_000) : '{"type":"subscribe"}', i % 3 === 0);
    expect(s.readyState, 'up to the cap is tolerated').toBe(1);
    s.frame('not json');
    expect(s.closedWith?.code).toBe(1008);
  });

  it('gives one socket at most one snapshot a second, and a crowd one shared read', async () => {
    const { attach, time, loads, holdLoads, releaseLoads } = setup();
    holdLoads();
    const crowd = Array.from({ length: 20 }, (_, i) => attach(`10.0.1.${i}`));
    await settle();
    releaseLoads();
    await settle();
    await settle();
    expect(loads(), 'twenty visitors, one read').toBe(1);
    expect(crowd.map(snapshots)).toEqual(crowd.map(() => 1));
    const s = crowd[0]!;
    for (let i = 0; i < 10; i += 1) s.frame('{"type":"resync"}');
    await settle();
    expect(snapshots(s)).toBe(1);
    time.advance(1_000);
    s.frame('{"type":"resync"}');
    await settle();
    expect(snapshots(s)).toBe(2);
  });

  it('cuts a socket that answers no heartbeat, and frees its address slot', async () => {
    const { attach, time, feed } = setup({ maxSocketsPerAddress: 1 });
    const silent = attach('a');
    await settle();
    time.advance(30_000);
    expect(silent.readyState).toBe(1);
    time.advance(30_000);
    expect(silent.terminated).toBe(true);
    expect(feed.clientCount('c')).toBe(0);
    expect(attach('a').readyState).toBe(1);
  });

  it('the signed-in board feed has no such caps', async () => {
    const time = fakeTime();
    const board = createBoardFeed({ bus: fakeBus(), logger, now: time.now, schedule: time.schedule, loadSnapshot: async () => snapshot });
    const sockets = Array.from({ length: 60 }, () => new FakeSocket());
    for (const s of sockets) board.attach('c', s, { role: 'admin', userId: null }, undefined, 'a');
    await settle();
    expect(sockets.every((s) => s.readyState === 1)).toBe(true);
    for (let i = 0; i < 50; i += 1) sockets[0]!.frame('junk');
    expect(sockets[0]!.readyState).toBe(1);
    board.close();
  });
});
