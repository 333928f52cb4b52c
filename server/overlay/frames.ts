/**
 * Prepared websocket frames for broadcasts: the hub encodes a tick's messages once, as the bytes
 * a server sends (RFC 6455 §5.2: FIN, text opcode, unmasked, payload length), and writes the same
 * buffer to every overlay's TCP socket. Sending through `ws` instead costs, per client and per
 * message, a frame header, a UTF-8 encoding of the string and a `writev`; with 2,000 overlays on
 * a busy channel that was a quarter of the process's CPU in the storm benchmark.
 */

const FIN_TEXT = 0x81;
const LENGTH_16 = 126;
const LENGTH_64 = 127;

/** Bytes of a server frame's header: 7-bit, 16-bit or 64-bit payload length (RFC 6455 §5.2). */
function headerLength(payloadLength: number): number {
  if (payloadLength < LENGTH_16) return 2;
  return payloadLength <= 0xffff ? 4 : 10;
}

/** The messages as consecutive unmasked text frames, in one buffer. */
export function encodeTextFrames(messages: readonly string[]): Buffer {
  const payloads = messages.map((m) => Buffer.from(m, 'utf8'));
  let size = 0;
  for (const p of payloads) size += headerLength(p.length) + p.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of payloads) {
    const header = headerLength(p.length);
    out[at] = FIN_TEXT;
    if (header === 2) out[at + 1] = p.length;
    else if (header === 4) {
      out[at + 1] = LENGTH_16;
      out.writeUInt16BE(p.length, at + 2);
    } else {
      out[at + 1] = LENGTH_64;
      out.writeBigUInt64BE(BigInt(p.length), at + 2);
    }
    at += header;
    at += p.copy(out, at);
  }
  return out;
}

/**
 * A tick's broadcasts: the JSON texts (for the plain frame sink, and for clients that
 * wait on a snapshot) and, encoded on first use, the frames that carry them.
 */
export class PreparedBroadcast {
  private wire: Buffer | null = null;

  constructor(readonly texts: readonly string[]) {}

  frames(): Buffer {
    this.wire ??= encodeTextFrames(this.texts);
    return this.wire;
  }
}
