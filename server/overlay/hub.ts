import { heartbeatRound } from './heartbeat.js';
import type { DomainEvent } from '../events/types.js';
import { createChannelCoalescer, type ChannelCoalescer, type Schedule } from './coalescer.js';
import {
  CLOSE_TOO_MANY_SOCKETS,
  createAddressCounter,
  DEFAULT_SOCKET_LIMITS,
  fullPingBudget,
  PING_BURST,
  takePing,
  type PingBudget,
} from './client-limits.js';
import { sendEach } from './frame-sink.js';
import { PreparedBroadcast } from './frames.js';
import type { FrameSink, OverlayHub, OverlayHubOptions, OverlaySocket } from './hub-types.js';
import { BOARD_STATUSES, parseClientMessage, serializeBroadcast, type UnsequencedMessage } from './protocol.js';

export type { FrameSink, OverlayHub, OverlayHubOptions, OverlaySnapshotData, OverlaySocket } from './hub-types.js';
export { CLOSE_TOO_MANY_SOCKETS, DEFAULT_SOCKET_LIMITS, PING_BURST, PING_REFILL_MS } from './client-limits.js';

const OPEN = 1;
/** The close every socket hears when the server shuts down: "going away", so pages reconnect. */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'server shutting down' } as const;
/**
 * Slow-consumer policy. A client whose socket has more than SOFT bytes queued (an OBS machine
 * that stalls, a dead Wi-Fi link) is skipped instead of buffered; it will see a seq gap on the
 * next message it does get and ask for a snapshot, so skipping loses nothing for good. Above
 * HARD bytes the socket is terminated: it has not drained for a long time and the page's
 * reconnect will start it clean.
 */
export const SLOW_CONSUMER_SOFT_BYTES = 256 * 1024;
export const SLOW_CONSUMER_HARD_BYTES = 4 * 1024 * 1024;
/** Live messages buffered for clients waiting on a snapshot; beyond it they resync. */
const MAX_SNAPSHOT_BACKLOG = 2_000;
/** Frames that are not protocol messages; a page never sends one, so many means abuse. */
const MAX_BAD_FRAMES = 20;
/** A client that neither pongs nor pings for two sweeps is gone. */
const HEARTBEAT_MS = 30_000;
const MIN_RESYNC_INTERVAL_MS = 1_000;

interface Client {
  socket: OverlaySocket;
  sink: FrameSink;
  badFrames: number;
  alive: boolean;
  waitingSnapshot: boolean;
  lastResyncAt: number;
  pings: PingBudget;
  address: string | null;
}

interface SnapshotLoad {
  fromSeq: number;
  waiters: Set<Client>;
  backlog: string[];
}

interface ChannelState {
  seq: number;
  live: Set<Client>;
  load: SnapshotLoad | null;
  coalescer: ChannelCoalescer;
}

const countOf = (state: ChannelState): number => state.live.size + (state.load?.waiters.size ?? 0);

const defaultSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * Fans bus events out to overlay websockets. State exists only for channels with connected
 * overlays; events of other channels are dropped on arrival. Each message is serialised once per
 * channel, and each coalescer tick is encoded once as websocket frames that go to every socket in
 * one write.
 */
export function createOverlayHub(options: OverlayHubOptions): OverlayHub {
  const { bus, loadSnapshot, logger } = options;
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? defaultSchedule;
  const channels = new Map<string, ChannelState>();
  const pingBurst = options.pingBurst ?? PING_BURST;
  const maxPerChannel = options.maxSocketsPerChannel ?? DEFAULT_SOCKET_LIMITS.perChannel;
  const perAddress = createAddressCounter(options.maxSocketsPerAddress ?? DEFAULT_SOCKET_LIMITS.perAddress);
  let closed = false;

  /** Whether the client takes a message now: false while it is slow (skipped) or once stuck (terminated). */
  const writable = (state: ChannelState, client: Client): boolean => {
    const { socket, sink } = client;
    if (socket.readyState !== OPEN) return false;
    if (sink.bufferedAmount > SLOW_CONSUMER_HARD_BYTES) {
      logger.warn({ buffered: sink.bufferedAmount }, 'overlay client not draining; terminating');
      dropClient(state, client);
      if (socket.terminate) socket.terminate();
      else socket.close(1013, 'too slow');
      return false;
    }
    return sink.bufferedAmount <= SLOW_CONSUMER_SOFT_BYTES;
  };

  const deliver = (state: ChannelState, client: Client, data: string): void => {
    if (writable(state, client)) client.socket.send(data);
  };

  const deliverTick = (state: ChannelState, client: Client, tick: PreparedBroadcast): void => {
    if (writable(state, client)) client.sink.write(tick);
  };

  /** One coalescer tick: each message stamped and serialised once, one write per client. */
  const broadcast = (state: ChannelState, messages: readonly UnsequencedMessage[]): void => {
    const tick = new PreparedBroadcast(messages.map((message) => serializeBroadcast(message, ++state.seq)));
    for (const client of state.live) deliverTick(state, client, tick);
    const load = state.load;
    if (load !== null) {
      load.backlog.push(...tick.texts);
      // Waiters will see a gap and resync; better than holding an unbounded backlog.
      if (load.backlog.length > MAX_SNAPSHOT_BACKLOG) load.backlog.splice(0, load.backlog.length - MAX_SNAPSHOT_BACKLOG);
    }
  };

  const stateFor = (channel: string): ChannelState => {
    let state = channels.get(channel);
    if (state === undefined) {
      const created: ChannelState = {
        seq: 0,
        live: new Set(),
        load: null,
        coalescer: createChannelCoalescer({ emit: (messages) => broadcast(created, messages), now, schedule }),
      };
      channels.set(channel, created);
      state = created;
    }
    return state;
  };

  const forgetIfIdle = (channel: string, state: ChannelState): void => {
    if (state.live.size > 0 || (state.load !== null && state.load.waiters.size > 0)) return;
    state.coalescer.dispose();
    if (channels.get(channel) === state) channels.delete(channel);
  };

  const channelOf = new Map<Client, string>();

  function dropClient(state: ChannelState, client: Client): void {
    state.live.delete(client);
    state.load?.waiters.delete(client);
    const channel = channelOf.get(client);
    if (!channelOf.delete(client)) return;
    perAddress.remove(client.address);
    if (channel !== undefined) forgetIfIdle(channel, state);
  }

  const startLoad = (channel: string, state: ChannelState): SnapshotLoad => {
    // Messages after fromSeq are kept for the waiters, so whatever the database read sees, the
    // client converges: payloads are absolute, replaying one it already reflects is harmless.
    const load: SnapshotLoad = { fromSeq: state.seq, waiters: new Set(), backlog: [] };
    state.load = load;
    loadSnapshot(channel).then(
      (data) => {
        if (state.load === load) state.load = null;
        if (channels.get(channel) !== state || closed) return;
        const snapshot = JSON.stringify({
          type: 'snapshot',
          seq: load.fromSeq,
          channel,
          serverTime: new Date(now()).toISOString(),
          currencyName: data.currencyName,
          locale: data.locale,
          missions: data.missions.filter((m) => BOARD_STATUSES.includes(m.status)),
        });
        for (const client of load.waiters) {
          client.waitingSnapshot = false;
          if (client.socket.readyState !== OPEN) continue;
          state.live.add(client);
          deliver(state, client, snapshot);
          for (const data of load.backlog) deliver(state, client, data);
        }
      },
      (error: unknown) => {
        if (state.load === load) state.load = null;
        logger.error({ err: error, channel }, 'overlay snapshot failed');
        // 1011 makes the page back off and retry; its board stays as it was.
        for (const client of load.waiters) {
          dropClient(state, client);
          client.socket.close(1011, 'snapshot unavailable');
        }
      },
    );
    return load;
  };

  const requestSnapshot = (channel: string, state: ChannelState, client: Client): void => {
    client.waitingSnapshot = true;
    client.lastResyncAt = now();
    state.live.delete(client);
    // Concurrent requests (a reconnect wave after a deploy) share one database read.
    const load = state.load ?? startLoad(channel, state);
    load.waiters.add(client);
  };

  const badFrame = (state: ChannelState, client: Client): void => {
    client.badFrames += 1;
    if (client.badFrames > MAX_BAD_FRAMES && channelOf.has(client)) {
      dropClient(state, client);
      client.socket.close(1008, 'unexpected frames');
    }
  };

  const pingAllowed = (client: Client): boolean => takePing(client.pings, pingBurst, now());

  const onFrame = (channel: string, state: ChannelState, client: Client, data: unknown, isBinary: boolean): void => {
    const message = parseClientMessage(data, isBinary);
    if (message === null) {
      badFrame(state, client);
      return;
    }
    if (message.type === 'ping') {
      // Only a ping within budget shows the client is alive: a flood must not keep it alive.
      if (!pingAllowed(client)) {
        badFrame(state, client);
        return;
      }
      client.alive = true;
      // Through the same writability check as broadcasts: a client that does not read gets no
      // more queued for it, and one that stays stuck is terminated.
      deliver(state, client, JSON.stringify({ type: 'pong', serverTime: new Date(now()).toISOString() }));
      return;
    }
    client.alive = true;
    if (client.waitingSnapshot || now() - client.lastResyncAt < MIN_RESYNC_INTERVAL_MS) return;
    requestSnapshot(channel, state, client);
  };

  const onEvent = (event: DomainEvent): void => {
    const state = channels.get(event.channel);
    if (state === undefined) return;
    try {
      state.coalescer.push(event);
    } catch (error) {
      // A malformed event from another process must not take the bus subscription down.
      logger.error({ err: error, channel: event.channel }, 'overlay event dropped');
    }
  };

  const unsubscribe = bus.subscribe(onEvent);

  const disconnectChannel = (channel: string, code: number, reason: string): void => {
    const state = channels.get(channel);
    if (state === undefined) return;
    for (const client of [...state.live, ...(state.load?.waiters ?? [])]) {
      dropClient(state, client);
      client.socket.close(code, reason);
    }
  };

  let cancelHeartbeat: (() => void) | null = null;
  const heartbeat = (): void => {
    for (const [, state] of channels) {
      heartbeatRound([...state.live, ...(state.load?.waiters ?? [])], (client) => dropClient(state, client));
    }
    cancelHeartbeat = schedule(heartbeat, HEARTBEAT_MS);
  };
  cancelHeartbeat = schedule(heartbeat, HEARTBEAT_MS);

  return {
    attach(channel, socket, sink, address) {
      if (closed) {
        socket.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
        return;
      }
      const channelCount = channels.get(channel);
      const atChannelCap = channelCount !== undefined && countOf(channelCount) >= maxPerChannel;
      const atAddressCap = perAddress.full(address ?? null);
      if (atChannelCap || atAddressCap) {
        logger.warn({ channel, perChannel: atChannelCap, perAddress: atAddressCap }, 'overlay socket refused: too many connections');
        socket.close(CLOSE_TOO_MANY_SOCKETS.code, CLOSE_TOO_MANY_SOCKETS.reason);
        return;
      }
      const state = stateFor(channel);
      const client: Client = {
        socket,
        sink: sink ?? sendEach(socket),
        badFrames: 0,
        alive: true,
        waitingSnapshot: false,
        lastResyncAt: 0,
        pings: fullPingBudget(pingBurst, now()),
        address: address ?? null,
      };
      channelOf.set(client, channel);
      perAddress.add(client.address);
      socket.on('message', (data, isBinary) => onFrame(channel, state, client, data, isBinary));
      socket.on('pong', () => {
        client.alive = true;
      });
      // Protocol-level pings (browsers never send them) share the budget; `ws` answers none by
      // itself (`autoPong: false`), since its automatic pongs skip every queue check.
      socket.on('ping', (data) => {
        if (!pingAllowed(client)) {
          badFrame(state, client);
          return;
        }
        client.alive = true;
        if (writable(state, client)) socket.pong?.(data);
      });
      socket.on('close', () => dropClient(state, client));
      socket.on('error', (error) => {
        logger.debug({ err: error, channel }, 'overlay socket error');
      });
      requestSnapshot(channel, state, client);
    },

    disconnectChannel,

    resyncAll() {
      for (const [channel, state] of channels) {
        for (const client of [...state.live]) requestSnapshot(channel, state, client);
      }
    },

    preview(channel, events) {
      const state = channels.get(channel);
      if (state === undefined) return 0;
      for (const event of events) state.coalescer.push(event);
      return state.live.size + (state.load?.waiters.size ?? 0);
    },

    clientCount(channel) {
      if (channel !== undefined) {
        const state = channels.get(channel);
        return state === undefined ? 0 : countOf(state);
      }
      let total = 0;
      for (const state of channels.values()) total += countOf(state);
      return total;
    },

    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      cancelHeartbeat?.();
      for (const channel of [...channels.keys()]) disconnectChannel(channel, SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
      for (const state of channels.values()) state.coalescer.dispose();
      channels.clear();
    },
  };
}
