import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MissionDto, MissionStatus } from '../../server/domain/types.js';
import type { DomainEvent } from '../../server/events/types.js';
import { encodeTextFrames } from '../../server/overlay/frames.js';
import {
  createOverlayHub,
  SLOW_CONSUMER_HARD_BYTES,
  SLOW_CONSUMER_SOFT_BYTES,
  type FrameSink,
  type OverlayHub,
  type OverlaySnapshotData,
} from '../../server/overlay/hub.js';
import { FakeSocket, fakeBus, fakeTime } from '../support/fakes.js';


const viewer = (name: string) => ({ userId: `u-${name}`, login: name, displayName: name });

function mission(number: number, status: MissionStatus = 'open', extra: Partial<MissionDto> = {}): MissionDto {
  return {
    number,
    text: `Mission ${number}`,
    status,
    pot: 100,
    backers: 1,
    proposer: viewer('alice'),
    createdAt: '2024-01-01T00:00:00.000Z',
    openedAt: status === 'pending' ? null : '2024-01-01T00:00:00.000Z',
    deadline: status === 'pending' ? null : '2024-01-01T00:30:00.000Z',
    resolvedAt: null,
    settled: false,
    reason: null,
    newestBacker: viewer('alice'),
    graceEndsAt: null,
    pendingExpiresAt: null,
    ...extra,
  };
}

const at = '2024-01-01T00:00:00.000Z';
const pledgeEvent = (channel: string, n: number, i: number): DomainEvent => ({
  type: 'pledge', channel, at, missionNumber: n, count: 1, amount: 10, newBackers: 1,
  pot: 100 + 10 * (i + 1), backers: 1 + i + 1, newestBacker: viewer(`v${i}`),
});
const missionEvent = (channel: string, m: MissionDto): DomainEvent => ({ type: 'mission', channel, at, change: 'updated', mission: m });
const resolvedEvent = (channel: string, m: MissionDto): DomainEvent => ({
  type: 'resolved', channel, at, outcome: 'succeeded', cause: 'verdict', mission: { ...m, status: 'succeeded' },
});

const silentLogger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

let hub: OverlayHub | null = null;
afterEach(() => {
  hub?.close();
  hub = null;
  vi.restoreAllMocks();
});

function setup(load?: (channel: string) => Promise<OverlaySnapshotData>) {
  const bus = fakeBus();
  const time = fakeTime();
  const loadSnapshot = vi.fn(
    load ??
      (async () => ({
        currencyName: 'pts',
        locale: 'en',
        missions: [mission(1), mission(2, 'pending'), mission(3, 'closed'), mission(4, 'succeeded')],
      })),
  );
  hub = createOverlayHub({ bus, loadSnapshot, now: time.now, schedule: time.schedule, logger: silentLogger });
  return { bus, time, hub, loadSnapshot };
}

async function attached(h: OverlayHub, channel = 'chan') {
  const socket = new FakeSocket();
  h.attach(channel, socket);
  await flush();
  return socket;
}

/** A client whose broadcasts arrive as prepared frames on its TCP socket (`writes`). */
async function attachedWithWire(h: OverlayHub, channel = 'chan') {
  const socket = new FakeSocket();
  const writes: Buffer[] = [];
  const sink: FrameSink = {
    write: (tick) => void writes.push(tick.frames()),
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
  h.attach(channel, socket, sink);
  await flush();
  return { socket, writes };
}

// ---------- tests ----------

describe('overlay hub', () => {
  it('sends a snapshot of board missions on attach', async () => {
    const { hub, time } = setup();
    const socket = await attached(hub);
    const [snapshot] = socket.messages();
    expect(snapshot).toMatchObject({ type: 'snapshot', seq: 0, channel: 'chan', currencyName: 'pts', locale: 'en' });
    expect(snapshot?.serverTime).toBe(new Date(time.now()).toISOString());
    const numbers = (snapshot?.missions as MissionDto[]).map((m) => m.number);
    expect(numbers).toEqual([1, 2, 3]); // the succeeded one is not on the board
    expect(hub.clientCount('chan')).toBe(1);
  });

  it('numbers broadcasts with consecutive seq, the same frames for every client', async () => {
    const { hub, bus, time } = setup();
    const a = await attached(hub);
    const b = await attached(hub);
    bus.emit(missionEvent('chan', mission(5)));
    bus.emit(pledgeEvent('chan', 1, 0));
    time.advance(150);
    bus.emit(resolvedEvent('chan', mission(1)));
    const seqs = a.messages().slice(1).map((m) => m.seq);
    expect(seqs).toEqual([1, 2, 3]);
    expect(b.sent.slice(1)).toEqual(a.sent.slice(1));
    expect(a.messages().map((m) => m.type)).toEqual(['snapshot', 'mission', 'pledge', 'resolved']);
  });

  it('serialises each broadcast once, whatever the number of clients', async () => {
    const { hub, bus } = setup();
    const sockets = await Promise.all(Array.from({ length: 50 }, () => attached(hub)));
    const stringify = vi.spyOn(JSON, 'stringify');
    bus.emit(missionEvent('chan', mission(9)));
    expect(stringify).toHaveBeenCalledTimes(1);
    expect(sockets.every((s) => s.sent.length === 2)).toBe(true);
  });

  it('merges a pledge storm on one mission into at most two messages with summed counts', async () => {
    const { hub, bus, time } = setup();
    const socket = await attached(hub);
    for (let i = 0; i < 100; i++) {
      bus.emit(pledgeEvent('chan', 1, i));
      time.advance(0.5); // 100 events in 50 ms
    }
    time.advance(200);
    const pledges = socket.messages().filter((m) => m.type === 'pledge');
    expect(pledges.length).toBeGreaterThanOrEqual(1);
    expect(pledges.length).toBeLessThanOrEqual(2);
    expect(pledges.reduce((sum, m) => sum + (m.count as number), 0)).toBe(100);
    expect(pledges.reduce((sum, m) => sum + (m.amount as number), 0)).toBe(1000);
    expect(pledges.at(-1)).toMatchObject({ pot: 1100, backers: 101, newestBacker: viewer('v99') });
  });

  it('keeps every mission under 10 messages per second while several missions flow', async () => {
    const { hub, bus, time } = setup();
    const socket = await attached(hub);
    for (let i = 0; i < 1000; i++) {
      bus.emit(pledgeEvent('chan', 1, i));
      bus.emit(pledgeEvent('chan', 2, i));
      time.advance(1);
    }
    time.advance(100);
    for (const n of [1, 2]) {
      const msgs = socket.messages().filter((m) => m.type === 'pledge' && m.missionNumber === n);
      expect(msgs.length).toBeLessThanOrEqual(11); // 1000 ms span plus the trailing flush
      expect(msgs.reduce((sum, m) => sum + (m.count as number), 0)).toBe(1000);
    }
  });

  it('sends the waiting updates of every mission in one tick, written once per socket', async () => {
    const { hub, bus, time } = setup();
    const wired = await attachedWithWire(hub);
    const plain = await attached(hub);
    bus.emit(pledgeEvent('chan', 1, 0)); // leading edge, sent at once
    bus.emit(pledgeEvent('chan', 1, 1));
    time.advance(30);
    bus.emit(pledgeEvent('chan', 2, 0)); // joins the channel's next tick
    bus.emit(missionEvent('chan', mission(3)));
    time.advance(69);
    expect(plain.messages()).toHaveLength(2);
    time.advance(1);
    const tick = plain.messages().slice(2);
    expect(tick.map((m) => [m.type, m.seq])).toEqual([['pledge', 2], ['pledge', 3], ['mission', 4]]);
    expect(tick.map((m) => m.missionNumber ?? (m.mission as MissionDto).number)).toEqual([1, 2, 3]);
    // The wired client got the same broadcasts as frames: one write for the leading edge, one for the tick.
    expect(wired.writes).toHaveLength(2);
    expect(Buffer.concat(wired.writes)).toEqual(encodeTextFrames(plain.sent.slice(1)));
    expect(wired.socket.sent).toHaveLength(1); // only the snapshot went through `send`
  });

  it('keeps only the latest mission update within a window', async () => {
    const { hub, bus, time } = setup();
    const socket = await attached(hub);
    bus.emit(missionEvent('chan', mission(1, 'open', { text: 'first' })));
    bus.emit(missionEvent('chan', mission(1, 'open', { text: 'second' })));
    bus.emit(missionEvent('chan', mission(1, 'open', { text: 'third' })));
    time.advance(100);
    const texts = socket.messages().filter((m) => m.type === 'mission').map((m) => (m.mission as MissionDto).text);
    expect(texts).toEqual(['first', 'third']);
  });

  it('sends one message per window when a mission update and pledges wait together', async () => {
    const { hub, bus, time } = setup();
    const socket = await attached(hub);
    bus.emit(pledgeEvent('chan', 1, 0)); // leading edge, sent at once
    bus.emit(missionEvent('chan', mission(1, 'open', { deadline: '2024-01-01T01:00:00.000Z', pot: 110 })));
    bus.emit(pledgeEvent('chan', 1, 1));
    time.advance(100);
    const afterOneWindow = socket.messages().slice(1);
    expect(afterOneWindow.map((m) => m.type)).toEqual(['pledge', 'mission']);
    // the mission went out carrying the newer pledge totals
    expect(afterOneWindow[1]?.mission).toMatchObject({ pot: 120, backers: 3, deadline: '2024-01-01T01:00:00.000Z' });
    time.advance(100);
    expect(socket.messages().at(-1)).toMatchObject({ type: 'pledge', count: 1, pot: 120 });
  });

  it('delivers a verdict at once, drops what was waiting and ignores late updates', async () => {
    const { hub, bus, time } = setup();
    const socket = await attached(hub);
    bus.emit(pledgeEvent('chan', 1, 0));
    bus.emit(pledgeEvent('chan', 1, 1)); // waits for the window
    bus.emit(resolvedEvent('chan', mission(1)));
    expect(socket.messages().at(-1)).toMatchObject({ type: 'resolved', outcome: 'succeeded', cause: 'verdict' });
    bus.emit(missionEvent('chan', mission(1, 'open')));
    time.advance(500);
    expect(socket.messages().map((m) => m.type)).toEqual(['snapshot', 'pledge', 'resolved']);
  });

  it('replays live messages that arrive while the snapshot loads, with contiguous seq', async () => {
    let release: (data: OverlaySnapshotData) => void = () => {};
    const { hub, bus } = setup(() => new Promise((resolve) => (release = resolve)));
    const socket = new FakeSocket();
    hub.attach('chan', socket);
    bus.emit(missionEvent('chan', mission(7)));
    expect(socket.sent).toHaveLength(0);
    release({ currencyName: 'pts', locale: 'ko', missions: [] });
    await flush();
    expect(socket.messages().map((m) => [m.type, m.seq])).toEqual([['snapshot', 0], ['mission', 1]]);
  });

  it('shares one snapshot load between clients that attach together', async () => {
    const { hub, loadSnapshot } = setup();
    const a = new FakeSocket();
    const b = new FakeSocket();
    hub.attach('chan', a);
    hub.attach('chan', b);
    await flush();
    expect(loadSnapshot).toHaveBeenCalledTimes(1);
    expect(a.sent[0]).toBe(b.sent[0]);
  });

  it('ignores garbage frames, answers ping and resync, and closes a client that only sends garbage', async () => {
    const { hub, bus, time, loadSnapshot } = setup();
    const socket = await attached(hub);
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    socket.frame(Buffer.from('not json'));
    socket.frame(Buffer.from([0xff, 0x00, 0x13]), true);
    socket.frame(Buffer.from(deep));
    socket.frame(Buffer.from('x'.repeat(5_000_000)));
    socket.frame(Buffer.from('[{"type":"resync"}]'));
    socket.frame(Buffer.from('{"type":"__proto__"}'));
    socket.frame({ weird: true });
    expect(socket.closedWith).toBeNull();
    bus.emit(missionEvent('chan', mission(8)));
    expect(socket.messages().at(-1)).toMatchObject({ type: 'mission', seq: 1 });

    socket.frame(Buffer.from('{"type":"ping"}'));
    expect(socket.messages().at(-1)).toMatchObject({ type: 'pong' });
    expect(socket.messages().at(-1)?.seq).toBeUndefined();

    time.advance(2_000);
    socket.frame(Buffer.from('{"type":"resync"}'));
    await flush();
    expect(loadSnapshot).toHaveBeenCalledTimes(2);
    expect(socket.messages().at(-1)).toMatchObject({ type: 'snapshot', seq: 1 });

    for (let i = 0; i < 30; i++) socket.frame(Buffer.from('garbage'));
    expect(socket.closedWith?.code).toBe(1008);
    expect(hub.clientCount('chan')).toBe(0);
  });

  it('rate-limits resync requests from one client', async () => {
    const { hub, loadSnapshot } = setup();
    const socket = await attached(hub);
    for (let i = 0; i < 20; i++) socket.frame(Buffer.from('{"type":"resync"}'));
    await flush();
    expect(loadSnapshot).toHaveBeenCalledTimes(1); // only the attach; the burst came within a second
  });

  it('resyncAll sends every live overlay a fresh snapshot (after the bus reconnects)', async () => {
    const { hub, loadSnapshot } = setup();
    const a = await attached(hub, 'chan');
    const b = await attached(hub, 'other');
    const loads = loadSnapshot.mock.calls.length;
    hub.resyncAll();
    await flush();
    expect(loadSnapshot.mock.calls.length).toBe(loads + 2);
    for (const socket of [a, b]) {
      expect(socket.messages().map((m) => m.type)).toEqual(['snapshot', 'snapshot']);
    }
  });

  it('disconnectChannel closes every socket of that channel only, with the given code', async () => {
    const { hub } = setup();
    const a = await attached(hub, 'chan');
    const b = await attached(hub, 'chan');
    const other = await attached(hub, 'other');
    hub.disconnectChannel('chan', 4401, 'overlay key rotated');
    expect(a.closedWith).toEqual({ code: 4401, reason: 'overlay key rotated' });
    expect(b.closedWith?.code).toBe(4401);
    expect(other.closedWith).toBeNull();
    expect(hub.clientCount('chan')).toBe(0);
    expect(hub.clientCount()).toBe(1);
  });

  it('skips slow consumers and terminates ones that never drain', async () => {
    const { hub, bus } = setup();
    const slow = await attached(hub);
    const stuck = await attached(hub);
    const healthy = await attached(hub);
    slow.bufferedAmount = SLOW_CONSUMER_SOFT_BYTES + 1;
    stuck.bufferedAmount = SLOW_CONSUMER_HARD_BYTES + 1;
    bus.emit(missionEvent('chan', mission(9)));
    expect(healthy.sent).toHaveLength(2);
    expect(slow.sent).toHaveLength(1);
    expect(stuck.terminated).toBe(true);
    expect(hub.clientCount('chan')).toBe(2);
  });

  it('ignores other channels and forgets a channel when its last overlay leaves', async () => {
    const { hub, bus, time } = setup();
    const socket = await attached(hub, 'chan');
    bus.emit(missionEvent('elsewhere', mission(1)));
    expect(socket.sent).toHaveLength(1);
    bus.emit(pledgeEvent('chan', 1, 0));
    bus.emit(pledgeEvent('chan', 1, 1));
    socket.close(1000, 'bye');
    expect(hub.clientCount()).toBe(0);
    time.advance(1_000); // the pending flush was cancelled with the channel: nothing throws or sends
    expect(socket.sent).toHaveLength(2);
    const again = await attached(hub, 'chan');
    expect(again.messages()[0]).toMatchObject({ type: 'snapshot', seq: 0 });
  });

  it('closes waiting clients with 1011 when the snapshot cannot be loaded', async () => {
    const { hub } = setup(async () => {
      throw new Error('database down');
    });
    const socket = await attached(hub);
    expect(socket.closedWith?.code).toBe(1011);
    expect(hub.clientCount()).toBe(0);
  });

  it('terminates clients that stop answering heartbeats', async () => {
    const { hub, time } = setup();
    const quiet = await attached(hub);
    const chatty = await attached(hub);
    time.advance(30_000); // first sweep marks both
    chatty.emit('pong');
    time.advance(30_000); // second sweep: quiet never answered
    expect(quiet.terminated).toBe(true);
    expect(chatty.terminated).toBe(false);
  });

  it('close() unsubscribes and closes every socket with 1001', async () => {
    const { hub, bus } = setup();
    const socket = await attached(hub);
    expect(bus.handlers).toBe(1);
    hub.close();
    expect(bus.handlers).toBe(0);
    expect(socket.closedWith?.code).toBe(1001);
    const late = new FakeSocket();
    hub.attach('chan', late);
    expect(late.closedWith?.code).toBe(1001);
  });
});
