/** The hub's interfaces: the sockets it drives, its options, and what it offers. */
import type { FastifyBaseLogger } from 'fastify';
import type { MissionDto } from '../domain/types.js';
import type { DomainEvent, EventBus } from '../events/types.js';
import type { Schedule } from './coalescer.js';
import type { FrameSink } from './frame-sink.js';

export type { FrameSink } from './frame-sink.js';

/**
 * The subset of a `ws` WebSocket the hub uses; real sockets fit it, so do small fakes in tests.
 */
export interface OverlaySocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate?(): void;
  ping?(): void;
  pong?(data?: Buffer): void;
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'pong', listener: () => void): unknown;
  on(event: 'ping', listener: (data: Buffer) => void): unknown;
}

export interface OverlaySnapshotData {
  missions: MissionDto[];
  currencyName: string;
  locale: string;
}

export interface OverlayHubOptions {
  bus: EventBus;
  loadSnapshot(channel: string): Promise<OverlaySnapshotData>;
  now?: () => number;
  schedule?: Schedule;
  logger: Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Pings answered in a burst before the one-per-second budget applies (default `PING_BURST`). */
  pingBurst?: number;
  /** Concurrent sockets one channel may hold (default `DEFAULT_SOCKET_LIMITS.perChannel`). */
  maxSocketsPerChannel?: number;
  /** Concurrent sockets one client address may hold (default `DEFAULT_SOCKET_LIMITS.perAddress`). */
  maxSocketsPerAddress?: number;
}

export interface OverlayHub {
  /**
   * Adopts an authenticated socket: it gets a snapshot, then the channel's live messages, through
   * `sink` when given (else each message through `socket.send`). A socket over the per-channel or
   * per-address cap is closed with 1013 ("try again later") instead.
   */
  attach(channel: string, socket: OverlaySocket, sink?: FrameSink, address?: string): void;
  /** Closes every overlay of a channel (key rotation: use 4401 so pages stop showing the board). */
  disconnectChannel(channel: string, code: number, reason: string): void;
  /** Connected overlays of one channel, or of all channels. */
  clientCount(channel?: string): number;
  /**
   * Shows events on this instance's connected overlays of a channel only (the dashboard's test
   * event), bypassing the bus: no other consumer (chat announcer, settlement) ever sees them.
   * Returns how many overlays were connected.
   */
  preview(channel: string, events: readonly DomainEvent[]): number;
  /**
   * Sends every connected overlay a fresh snapshot: after the event bus reconnects, events
   * published meanwhile are lost, and no client could see that gap in its `seq`.
   */
  resyncAll(): void;
  /** Unsubscribes from the bus and closes every socket with 1001 (pages reconnect elsewhere). */
  close(): void;
}
