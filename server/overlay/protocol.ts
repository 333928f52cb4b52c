import type { MissionDto, MissionStatus } from '../domain/types.js';
import type { MissionResolvedEvent, PledgeAddedEvent } from '../events/types.js';

/**
 * The overlay websocket protocol, shared by the hub, the tests and — as documentation —
 * by the browser page (overlay/overlay.js mirrors these shapes by hand: it has no build step).
 *
 * Every server→client message except `pong` carries `seq`: per channel and per server instance,
 * +1 for each message the hub broadcasts on the channel. A snapshot carries the seq of the last
 * broadcast before it, so the next message a client sees must be `seq + 1`; anything else means
 * it missed something and should send `{type:'resync'}`. All payloads carry absolute totals, so a
 * message applied twice (or after a newer snapshot) converges on the right board.
 */

/** Statuses the overlay board shows; the snapshot holds only these. */
export const BOARD_STATUSES: readonly MissionStatus[] = ['open', 'closed', 'pending'];

export interface SnapshotMessage {
  type: 'snapshot';
  seq: number;
  channel: string;
  /** ISO 8601; the page derives its clock offset from it to run countdowns. */
  serverTime: string;
  currencyName: string;
  locale: string;
  missions: MissionDto[];
}

export interface MissionMessage {
  type: 'mission';
  seq: number;
  mission: MissionDto;
}

/** The pledge event without its bus envelope; `count`, `amount` and `newBackers` sum the events merged into it. */
export type PledgeMessage = Omit<PledgeAddedEvent, 'channel' | 'at'> & { seq: number };

export interface ResolvedMessage {
  type: 'resolved';
  seq: number;
  outcome: MissionResolvedEvent['outcome'];
  cause: MissionResolvedEvent['cause'];
  mission: MissionDto;
}

/** Reply to a client `ping`; not part of the seq stream. */
export interface PongMessage {
  type: 'pong';
  serverTime: string;
}

export type BroadcastMessage = MissionMessage | PledgeMessage | ResolvedMessage;
export type OverlayServerMessage = SnapshotMessage | BroadcastMessage | PongMessage;

/** A broadcast before the hub stamps its seq. */
export type UnsequencedMessage =
  | Omit<MissionMessage, 'seq'>
  | Omit<PledgeMessage, 'seq'>
  | Omit<ResolvedMessage, 'seq'>;

export type OverlayClientMessage = { type: 'resync' } | { type: 'ping' };

/** Client frames are tiny; anything bigger is not a message we speak. */
export const MAX_CLIENT_FRAME_BYTES = 256;

/**
 * Parses one client frame. Returns null for anything that is not exactly a known message:
 * binary frames, oversized text, invalid JSON, arrays, unknown types. Never throws.
 */
export function parseClientMessage(data: unknown, isBinary: boolean): OverlayClientMessage | null {
  if (isBinary) return null;
  let text: string;
  if (typeof data === 'string') text = data;
  else if (Buffer.isBuffer(data)) {
    if (data.length > MAX_CLIENT_FRAME_BYTES) return null;
    text = data.toString('utf8');
  } else return null;
  // The size check comes before JSON.parse so deep or huge documents are never parsed.
  if (text.length > MAX_CLIENT_FRAME_BYTES) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const type = (parsed as { type?: unknown }).type;
  if (type === 'resync') return { type: 'resync' };
  if (type === 'ping') return { type: 'ping' };
  return null;
}

/** Serialises a broadcast with `type` and `seq` first, which keeps frames easy to read in devtools. */
export function serializeBroadcast(message: UnsequencedMessage, seq: number): string {
  const { type, ...rest } = message;
  return JSON.stringify({ type, seq, ...rest });
}
