/**
 * Where a client's broadcasts go. The hub writes each coalescer tick to a client's sink and reads
 * the sink's queue for its slow-consumer policy; whether the tick leaves as prepared frames or as
 * one `send` per message is the sink's business.
 */
import type { PreparedBroadcast } from './frames.js';

export interface FrameSink {
  /** Sends the tick's messages, in order, after everything sent on the socket before. */
  write(tick: PreparedBroadcast): void;
  /** Bytes sent and not yet handed to the network, the tick's included. */
  readonly bufferedAmount: number;
}

/** The plain sink: each message through the websocket's own `send`. */
export function sendEach(socket: { send(data: string): void; readonly bufferedAmount: number }): FrameSink {
  return {
    write(tick) {
      for (const data of tick.texts) socket.send(data);
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
  };
}
