/**
 * The dashboard board's live feed: one websocket per open board, pushed from the event bus.
 *
 * It reuses the overlay's per-channel coalescer (at most one message per mission per 100 ms, so
 * 10 per second) and its client frame parser; what differs from the OBS fan-out is that a board
 * resumes. Every message of a channel gets the next sequence number of the channel's stream and
 * is kept in a ring of the last {@link RING_SIZE}; a board that reconnects with `since=<seq>`
 * and the `stream` id it saw gets the messages it missed (`{type:'resume'}` then the missed
 * ones, in order) instead of a full snapshot. A stream lives while boards watch the channel and
 * for {@link LINGER_MS} after the last one leaves, so a page reload or a dropped connection
 * resumes; after that, or on another server instance, the board gets a fresh snapshot.
 *
 * Messages other than the coalesced mission events (`channel`: pause/resume from the bus, `chat`:
 * demo chat lines) go through the same ordered queue and stream.
 *
 * A feed that anyone may open (the public board) passes `limits`: the overlay hub's caps on
 * sockets per channel and per client address, its ping budget, its bad-frame cap and its
 * minimum interval between snapshots a client may ask for, so a hostile client cannot make the
 * server hold unbounded sockets, answer a ping flood or re-read the database in a loop.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { DomainEvent, EventBus } from '../events/types.js';
import { heartbeatRound } from '../overlay/heartbeat.js';
import { CLOSE_TOO_MANY_SOCKETS, createAddressCounter, fullPingBudget, takePing, type PingBudget } from '../overlay/client-limits.js';
import { createChannelCoalescer, type ChannelCoalescer, type Schedule } from '../overlay/coalescer.js';
import type { OverlaySocket } from '../overlay/hub.js';
import { parseClientMessage, type UnsequencedMessage } from '../overlay/protocol.js';
import type { BoardSnapshot, BoardViewer } from '../services/board-view.js';

export const RING_SIZE = 2_000;
export const LINGER_MS = 10 * 60_000;
const HEARTBEAT_MS = 30_000;
/** A board that has this much unsent is stuck (a sleeping laptop); its reconnect will resume. */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
const OPEN = 1;
/**
 * Messages waiting for their top backers beyond which the rest go without (the database is
 * slow, say in a storm): the board still gets every change in order, and the next one catches up.
 */
const MAX_ENRICH_BACKLOG = 50;

/** A message of the board stream before it is stamped with its `seq`. */
export type BoardMessage = (UnsequencedMessage & { topBackers?: unknown }) | { type: 'channel'; missionsPaused: boolean } | { type: 'chat'; line: unknown };

/** Abuse limits of a feed open to anyone; see the module comment. */
export interface FeedLimits {
  maxSocketsPerChannel: number;
  maxSocketsPerAddress: number;
  /** Pings a client may send in a burst (refilled one per second, as on the overlay). */
  pingBurst: number;
  /** Frames that are not protocol messages (or pings beyond the budget) before the socket is closed. */
  maxBadFrames: number;
  /** Least time between two snapshots one client may ask for. */
  minResyncIntervalMs: number;
}

/** Who a socket is, as the feed needs it: the session whose logout closes it, if any. */
export interface FeedViewer {
  sessionId?: number;
}

export interface BoardFeedOptions<V extends FeedViewer = BoardViewer, S extends object = BoardSnapshot> {
  bus: EventBus;
  loadSnapshot(channel: string, viewer: V): Promise<S>;
  /** Extra fields for a coalesced mission message (top backers); the same for every board. */
  enrich?(channel: string, message: UnsequencedMessage): Promise<Record<string, unknown>>;
  logger: Pick<FastifyBaseLogger, 'debug' | 'warn' | 'error'>;
  now?: () => number;
  schedule?: Schedule;
  /** Caps for a feed open to anyone; none for the signed-in board. */
  limits?: FeedLimits;
}

export interface BoardFeed<V extends FeedViewer = BoardViewer> {
  /**
   * Adopts an authorised socket; `resume` is what the page sent back from its last stream,
   * `address` the client's address (counted against the per-address cap when there are limits).
   */
  attach(channel: string, socket: OverlaySocket, viewer: V, resume?: { since: number; stream: string }, address?: string): void;
  /** Appends a non-mission message (pause state, a chat line) to the channel's stream. */
  publish(channel: string, message: Exclude<BoardMessage, UnsequencedMessage>): void;
  /** Open boards of a channel. */
  clientCount(channel: string): number;
  /** Closes the boards of a session that was revoked (4401: the page asks to sign in again). */
  closeSession(sessionId: number): void;
  close(): void;
}

interface Client<V> {
  socket: OverlaySocket;
  viewer: V;
  alive: boolean;
  address: string | null;
  badFrames: number;
  pings: PingBudget;
  lastResyncAt: number;
}

interface Stream<V> {
  id: string;
  seq: number;
  ring: Array<{ seq: number; text: string }>;
  live: Set<Client<V>>;
  loading: Set<Client<V>>;
  coalescer: ChannelCoalescer;
  /** Messages are enriched and stamped one after another, in arrival order. */
  queue: Promise<void>;
  queued: number;
  cancelLinger: (() => void) | null;
}

const defaultSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

export function createBoardFeed<V extends FeedViewer = BoardViewer, S extends object = BoardSnapshot>(options: BoardFeedOptions<V, S>): BoardFeed<V> {
  type C = Client<V>;
  type St = Stream<V>;
  const { loadSnapshot, logger, limits } = options;
  const now = options.now ?? Date.now;
  const schedule = options.schedule ?? defaultSchedule;
  const streams = new Map<string, St>();
  const perAddress = createAddressCounter(limits?.maxSocketsPerAddress ?? Number.POSITIVE_INFINITY);
  const counted = new Set<C>();
  let closed = false;

  const send = (client: C, text: string): void => {
    const { socket } = client;
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      if (socket.terminate) socket.terminate();
      else socket.close(1013, 'too slow');
      return;
    }
    socket.send(text);
  };

  const stamp = (stream: St, message: BoardMessage): void => {
    const { type, ...rest } = message;
    const seq = ++stream.seq;
    const text = JSON.stringify({ type, seq, ...rest });
    stream.ring.push({ seq, text });
    if (stream.ring.length > RING_SIZE) stream.ring.splice(0, stream.ring.length - RING_SIZE);
    for (const client of stream.live) send(client, text);
  };

  const enqueue = (channel: string, stream: St, messages: readonly BoardMessage[]): void => {
    stream.queued += messages.length;
    stream.queue = stream.queue.then(async () => {
      for (const message of messages) {
        stream.queued -= 1;
        let extra: Record<string, unknown> = {};
        const enrichable = message.type === 'mission' || message.type === 'pledge' || message.type === 'resolved';
        if (options.enrich && enrichable && stream.queued < MAX_ENRICH_BACKLOG) {
          extra = await options.enrich(channel, message).catch((err: unknown) => {
            logger.warn({ err, channel }, 'board message not enriched');
            return {};
          });
        }
        if (streams.get(channel) === stream) stamp(stream, { ...message, ...extra } as BoardMessage);
      }
    });
  };

  const streamFor = (channel: string): St => {
    let stream = streams.get(channel);
    if (stream === undefined) {
      const created: St = {
        id: randomBytes(9).toString('base64url'),
        seq: 0,
        ring: [],
        live: new Set(),
        loading: new Set(),
        queue: Promise.resolve(),
        queued: 0,
        cancelLinger: null,
        coalescer: createChannelCoalescer({ emit: (messages) => enqueue(channel, created, messages), now, schedule }),
      };
      streams.set(channel, created);
      stream = created;
    }
    stream.cancelLinger?.();
    stream.cancelLinger = null;
    return stream;
  };

  const drop = (channel: string, stream: St, client: C): void => {
    stream.live.delete(client);
    stream.loading.delete(client);
    if (counted.delete(client)) perAddress.remove(client.address);
    if (stream.live.size > 0 || stream.loading.size > 0 || stream.cancelLinger !== null) return;
    stream.cancelLinger = schedule(() => {
      if (stream.live.size > 0 || stream.loading.size > 0) return;
      stream.coalescer.dispose();
      if (streams.get(channel) === stream) streams.delete(channel);
    }, LINGER_MS);
  };

  /** The messages after `since`, or null when the ring no longer holds all of them. */
  const missedSince = (stream: St, since: number): string[] | null => {
    if (since > stream.seq || since < 0) return null;
    if (since === stream.seq) return [];
    const first = stream.ring[0]?.seq;
    if (first === undefined || first > since + 1) return null;
    return stream.ring.filter((m) => m.seq > since).map((m) => m.text);
  };

  const snapshot = (channel: string, stream: St, client: C): void => {
    client.lastResyncAt = now();
    stream.live.delete(client);
    stream.loading.add(client);
    // Messages stamped while the snapshot loads stay in the ring and follow it, so nothing falls
    // between the two; payloads are absolute, so one the snapshot already reflects is harmless.
    const fromSeq = stream.seq;
    loadSnapshot(channel, client.viewer).then(
      (data) => {
        if (!stream.loading.delete(client) || client.socket.readyState !== OPEN || streams.get(channel) !== stream) return;
        const missed = missedSince(stream, fromSeq);
        if (missed === null) return snapshot(channel, stream, client);
        send(client, JSON.stringify({ type: 'snapshot', seq: fromSeq, stream: stream.id, serverTime: new Date(now()).toISOString(), ...data }));
        for (const text of missed) send(client, text);
        stream.live.add(client);
      },
      (err: unknown) => {
        logger.error({ err, channel }, 'board snapshot failed');
        drop(channel, stream, client);
        client.socket.close(1011, 'snapshot unavailable');
      },
    );
  };

  const onEvent = (event: DomainEvent): void => {
    const stream = streams.get(event.channel);
    if (stream === undefined) return;
    if (event.type === 'channel') {
      enqueue(event.channel, stream, [{ type: 'channel', missionsPaused: event.missionsPaused }]);
      return;
    }
    try {
      stream.coalescer.push(event);
    } catch (err) {
      logger.error({ err, channel: event.channel }, 'board event dropped');
    }
  };
  const unsubscribe = options.bus.subscribe(onEvent);

  let cancelHeartbeat: (() => void) | null = null;
  const heartbeat = (): void => {
    for (const [channel, stream] of streams) {
      heartbeatRound([...stream.live, ...stream.loading], (client) => drop(channel, stream, client));
    }
    cancelHeartbeat = schedule(heartbeat, HEARTBEAT_MS);
  };
  cancelHeartbeat = schedule(heartbeat, HEARTBEAT_MS);

  return {
    attach(channel, socket, viewer, resume, address) {
      if (closed) {
        socket.close(1001, 'server shutting down');
        return;
      }
      const existing = streams.get(channel);
      const atChannelCap = limits !== undefined && existing !== undefined && existing.live.size + existing.loading.size >= limits.maxSocketsPerChannel;
      if (atChannelCap || perAddress.full(address ?? null)) {
        logger.warn({ channel, perChannel: atChannelCap }, 'feed socket refused: too many connections');
        socket.close(CLOSE_TOO_MANY_SOCKETS.code, 'too many connections');
        return;
      }
      const stream = streamFor(channel);
      const pingBurst = limits?.pingBurst ?? Number.POSITIVE_INFINITY;
      const client: C = { socket, viewer, alive: true, address: address ?? null, badFrames: 0, pings: fullPingBudget(pingBurst, now()), lastResyncAt: 0 };
      counted.add(client);
      perAddress.add(client.address);
      const badFrame = (): void => {
        client.badFrames += 1;
        if (limits !== undefined && client.badFrames > limits.maxBadFrames && counted.has(client)) {
          drop(channel, stream, client);
          socket.close(1008, 'unexpected frames');
        }
      };
      socket.on('message', (data, isBinary) => {
        const message = parseClientMessage(data, isBinary);
        if (message === null) return badFrame();
        // Only a ping within budget shows the client is alive: a flood must not keep it alive.
        if (message.type === 'ping' && limits !== undefined && !takePing(client.pings, pingBurst, now())) return badFrame();
        client.alive = true;
        if (message.type === 'ping') send(client, JSON.stringify({ type: 'pong', serverTime: new Date(now()).toISOString() }));
        else if (!stream.loading.has(client) && (limits === undefined || now() - client.lastResyncAt >= limits.minResyncIntervalMs)) snapshot(channel, stream, client);
      });
      socket.on('pong', () => {
        client.alive = true;
      });
      socket.on('close', () => drop(channel, stream, client));
      socket.on('error', (err) => logger.debug({ err, channel }, 'board socket error'));
      const missed = resume && resume.stream === stream.id ? missedSince(stream, resume.since) : null;
      if (missed === null) return snapshot(channel, stream, client);
      send(client, JSON.stringify({ type: 'resume', seq: resume!.since, stream: stream.id, serverTime: new Date(now()).toISOString() }));
      for (const text of missed) send(client, text);
      stream.live.add(client);
    },

    publish(channel, message) {
      const stream = streams.get(channel);
      if (stream !== undefined) enqueue(channel, stream, [message]);
    },

    clientCount(channel) {
      const stream = streams.get(channel);
      return stream === undefined ? 0 : stream.live.size + stream.loading.size;
    },

    closeSession(sessionId) {
      for (const [channel, stream] of streams) {
        for (const client of [...stream.live, ...stream.loading]) {
          if (client.viewer.sessionId !== sessionId) continue;
          drop(channel, stream, client);
          client.socket.close(4401, 'signed out');
        }
      }
    },

    close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      cancelHeartbeat?.();
      for (const stream of streams.values()) {
        stream.coalescer.dispose();
        stream.cancelLinger?.();
        for (const client of [...stream.live, ...stream.loading]) client.socket.close(1001, 'server shutting down');
      }
      streams.clear();
    },
  };
}
