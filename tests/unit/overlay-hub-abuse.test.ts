/**
 * A hostile overlay client (anyone holding a leaked overlay key): its pings are budgeted, every
 * reply respects the slow-consumer limits, and sockets are capped per channel and per address.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus } from '../../server/events/types.js';
import {
  CLOSE_TOO_MANY_SOCKETS,
  createOverlayHub,
  PING_BURST,
  SLOW_CONSUMER_HARD_BYTES,
  SLOW_CONSUMER_SOFT_BYTES,
  type FrameSink,
  type OverlayHub,
} from '../../server/overlay/hub.js';
import { FakeSocket as RecordingSocket } from '../support/fakes.js';

/** Counts what it is sent as queued (a reader that never reads), and sends frames as a browser's bytes. */
class FakeSocket extends RecordingSocket {
  override send(data: string): void {
    super.send(data);
    this.bufferedAmount += data.length;
  }
  ping(): void {}
  pongs(): number {
    return this.sent.filter((s) => (JSON.parse(s) as { type: string }).type === 'pong').length;
  }
  override frame(text: string): void {
    super.frame(Buffer.from(text), false);
  }
}

const bus: EventBus = { async publish() {}, subscribe: () => () => undefined, async close() {} };
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const PING = '{"type":"ping"}';

let hub: OverlayHub | null = null;
afterEach(() => {
  hub?.close();
  hub = null;
});

function setup(options: { maxSocketsPerChannel?: number; maxSocketsPerAddress?: number } = {}) {
  let now = 1_700_000_000_000;
  const tasks: Array<() => void> = [];
  hub = createOverlayHub({
    bus,
    logger,
    loadSnapshot: async () => ({ missions: [], currencyName: 'pts', locale: 'en' }),
    now: () => now,
    schedule: (fn) => {
      tasks.push(fn);
      return () => undefined;
    },
    ...options,
  });
  return { hub, advance: (ms: number) => (now += ms) };
}

async function attach(h: OverlayHub, channel = 'chan', address?: string): Promise<FakeSocket> {
  const socket = new FakeSocket();
  h.attach(channel, socket, undefined, address);
  await flush();
  socket.bufferedAmount = 0;
  socket.sent = [];
  return socket;
}

describe('overlay hub against a hostile client', () => {
  it('answers a burst of pings, then treats a ping flood as bad frames and closes the socket', async () => {
    const { hub } = setup();
    const socket = await attach(hub);
    for (let i = 0; i < 10_000 && socket.readyState === 1; i++) socket.frame(PING);
    expect(socket.pongs()).toBe(PING_BURST);
    expect(socket.closedWith?.code).toBe(1008);
    expect(hub.clientCount('chan')).toBe(0);
  });

  it('keeps answering a client that pings about once a second', async () => {
    const { hub, advance } = setup();
    const socket = await attach(hub);
    for (let i = 0; i < 100; i++) {
      socket.frame(PING);
      advance(1_000);
    }
    expect(socket.pongs()).toBe(100);
    expect(socket.closedWith).toBeNull();
  });

  it('queues no pong for a socket over the soft limit, and terminates one over the hard limit', async () => {
    const { hub, advance } = setup();
    const slow = await attach(hub);
    slow.bufferedAmount = SLOW_CONSUMER_SOFT_BYTES + 1;
    slow.frame(PING);
    expect(slow.sent).toHaveLength(0);
    expect(slow.closedWith).toBeNull();

    advance(5_000);
    slow.bufferedAmount = SLOW_CONSUMER_HARD_BYTES + 1;
    slow.frame(PING);
    expect(slow.sent).toHaveLength(0);
    expect(slow.terminated).toBe(true);
    expect(hub.clientCount('chan')).toBe(0);
  });

  it('caps sockets per channel and per address, and frees a slot when a socket leaves', async () => {
    const { hub } = setup({ maxSocketsPerChannel: 3, maxSocketsPerAddress: 2 });
    const a1 = await attach(hub, 'chan', '10.0.0.1');
    await attach(hub, 'other', '10.0.0.1');
    const refused = await attach(hub, 'third', '10.0.0.1');
    expect(refused.closedWith).toEqual(CLOSE_TOO_MANY_SOCKETS);

    await attach(hub, 'chan', '10.0.0.2');
    await attach(hub, 'chan', '10.0.0.3');
    const overChannel = await attach(hub, 'chan', '10.0.0.4');
    expect(overChannel.closedWith).toEqual(CLOSE_TOO_MANY_SOCKETS);
    expect(hub.clientCount('chan')).toBe(3);

    a1.close(1000, 'bye');
    const again = await attach(hub, 'third', '10.0.0.1');
    expect(again.closedWith).toBeNull();
    expect(hub.clientCount('third')).toBe(1);
  });

  it("judges a client with a frame sink by the sink's queue, not the socket's", async () => {
    const { hub } = setup();
    const socket = new FakeSocket();
    let queued = 0;
    const sink: FrameSink = { write: () => undefined, get bufferedAmount() { return queued; } };
    hub.attach('chan', socket, sink);
    await flush();
    socket.sent = [];
    queued = SLOW_CONSUMER_SOFT_BYTES + 1;
    socket.frame(PING);
    expect(socket.pongs()).toBe(0);
    expect(socket.terminated).toBe(false);
    queued = SLOW_CONSUMER_HARD_BYTES + 1;
    socket.frame(PING);
    expect(socket.terminated).toBe(true);
    expect(hub.clientCount('chan')).toBe(0);
  });
});
