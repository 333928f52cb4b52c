import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BoardSnapshot } from '../../server/services/board-view.js';
import { createBoardFeed, LINGER_MS, RING_SIZE } from '../../server/board/feed.js';
import type { DomainEvent } from '../../server/events/types.js';
import { fakeBus, fakeTime } from '../support/fakes.js';

class FakeSocket extends EventEmitter {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.emit('close');
  }
  messages() {
    return this.sent.map((s) => JSON.parse(s) as { type: string; seq?: number; stream?: string; missionsPaused?: boolean });
  }
}

const snapshotData = { channel: { login: 'c' }, role: 'admin', missions: [], recent: [] } as unknown as BoardSnapshot;
const viewer = { role: 'admin' as const, userId: null };
const pause = (paused: boolean): DomainEvent => ({ type: 'channel', channel: 'c', at: new Date(0).toISOString(), missionsPaused: paused });
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const bus = fakeBus();
  const time = fakeTime();
  let loads = 0;
  const feed = createBoardFeed({
    bus,
    logger: { debug: () => undefined, warn: () => undefined, error: () => undefined },
    now: time.now,
    schedule: time.schedule,
    loadSnapshot: async () => {
      loads += 1;
      return snapshotData;
    },
  });
  return { bus, time, feed, loads: () => loads };
}

async function connected(feed: ReturnType<typeof setup>['feed'], resume?: { since: number; stream: string }) {
  const socket = new FakeSocket();
  feed.attach('c', socket, viewer, resume);
  await settle();
  return socket;
}

describe('board feed', () => {
  it('resumes with exactly the missed messages while the ring holds them', async () => {
    const { bus, feed, loads } = setup();
    const keep = await connected(feed);
    const away = await connected(feed);
    const snap = away.messages()[0]!;
    expect(snap).toMatchObject({ type: 'snapshot', seq: 0 });
    away.close();
    for (let i = 0; i < 5; i++) bus.emit(pause(i % 2 === 0));
    await settle();
    const back = await connected(feed, { since: snap.seq!, stream: snap.stream! });
    expect(back.messages().map((m) => [m.type, m.seq])).toEqual([['resume', 0], ['channel', 1], ['channel', 2], ['channel', 3], ['channel', 4], ['channel', 5]]);
    expect(loads(), 'no snapshot for the resumed board').toBe(2);
    expect(keep.messages().slice(1)).toEqual(back.messages().slice(1));
  });

  it('sends a snapshot when more was missed than the ring keeps', async () => {
    const { bus, feed } = setup();
    await connected(feed);
    const away = await connected(feed);
    const snap = away.messages()[0]!;
    away.close();
    for (let i = 0; i < RING_SIZE + 1; i++) bus.emit(pause(i % 2 === 0));
    await settle();
    const back = await connected(feed, { since: snap.seq!, stream: snap.stream! });
    expect(back.messages()[0]).toMatchObject({ type: 'snapshot', seq: RING_SIZE + 1, stream: snap.stream });
  });

  it('forgets a stream nobody watched for the linger time: the next board gets a snapshot of a new stream', async () => {
    const { time, feed } = setup();
    const first = await connected(feed);
    const snap = first.messages()[0]!;
    first.close();
    time.advance(LINGER_MS - 1);
    const soon = await connected(feed, { since: 0, stream: snap.stream! });
    expect(soon.messages()[0]!.type).toBe('resume');
    soon.close();
    time.advance(LINGER_MS);
    const late = await connected(feed, { since: 0, stream: snap.stream! });
    expect(late.messages()[0]).toMatchObject({ type: 'snapshot' });
    expect(late.messages()[0]!.stream).not.toBe(snap.stream);
  });

  it('answers ping with pong (no seq) and resync with a snapshot', async () => {
    const { feed } = setup();
    const socket = await connected(feed);
    socket.emit('message', Buffer.from('{"type":"ping"}'), false);
    socket.emit('message', Buffer.from('{"type":"resync"}'), false);
    socket.emit('message', Buffer.from('not json'), false);
    await settle();
    const types = socket.messages().map((m) => [m.type, m.seq]);
    expect(types).toEqual([['snapshot', 0], ['pong', undefined], ['snapshot', 0]]);
  });
});
