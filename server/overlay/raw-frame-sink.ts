/**
 * The fast sink: a tick's prepared frames written straight to the TCP socket under a `ws`
 * websocket, one write per client however many messages the tick holds. Sending through `ws`
 * instead costs a frame header, a UTF-8 encoding and a `writev` per message and client, which with
 * 2,000 overlays on a busy channel was a quarter of the process's CPU in the storm benchmark.
 *
 * It goes past `ws`'s API, and relies on what `ws` 8 does (`lib/websocket.js`, `lib/sender.js`);
 * `tests/unit/overlay-frame-sink.test.ts` fails when an upgrade changes any of it:
 * - the websocket's `_socket` is the upgraded request's TCP socket, and its sender writes every
 *   frame of a string `send` to that socket at once when no extension was negotiated, so frames
 *   written here and frames `ws` sends keep their order;
 * - `bufferedAmount` counts the bytes waiting in that TCP socket, so the hub's slow-consumer
 *   limits see what this sink wrote.
 */
import { Socket } from 'node:net';
import type { FrameSink } from './frame-sink.js';

/** The members of a `ws` WebSocket this file reads; `_socket` is private to `ws`. */
interface WsSocket {
  readonly extensions: string;
  readonly bufferedAmount: number;
}

/**
 * A raw sink for a websocket on `tcp`, or undefined where frames cannot be written as they are:
 * an extension was negotiated (permessage-deflate rewrites every frame), the socket is not a real
 * TCP socket (injected test sockets), or `ws` no longer writes to the socket it was given.
 */
export function rawFrameSink(ws: WsSocket, tcp: unknown): FrameSink | undefined {
  if (ws.extensions !== '' || !(tcp instanceof Socket)) return undefined;
  if ((ws as WsSocket & { _socket?: unknown })._socket !== tcp) return undefined;
  return {
    write(tick) {
      tcp.write(tick.frames());
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
  };
}
