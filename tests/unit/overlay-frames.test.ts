import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeTextFrames, PreparedBroadcast } from '../../server/overlay/frames.js';

let server: WebSocketServer | null = null;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  server = null;
});

/**
 * A real `ws` server and client: the server's side writes `write(ws, tcp)` and the test returns
 * the texts the client's own frame parser delivered.
 */
async function roundTrip(expected: number, write: (ws: WebSocket, tcp: NodeJS.WritableStream) => void): Promise<string[]> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (ws, request) => write(ws, request.socket));
  await new Promise((resolve) => server!.once('listening', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    client.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      received.push(String(data));
      if (received.length === expected) resolve();
    });
    client.on('error', reject);
    client.on('close', (code) => reject(new Error(`closed with ${code} after ${received.length} messages`)));
  });
  client.removeAllListeners('close');
  client.close();
  return received;
}

describe('prepared websocket frames', () => {
  it('are parsed by a real client at every length encoding (7-bit, 16-bit, 64-bit) and in UTF-8', async () => {
    const texts = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000].map((n) => 'x'.repeat(n));
    texts.push('{"text":"보스를 죽지 않고 잡기 🎮"}');
    const received = await roundTrip(texts.length, (_ws, tcp) => tcp.write(encodeTextFrames(texts)));
    expect(received).toEqual(texts);
  });

  it('keep their order with messages `ws` sends itself on the same socket', async () => {
    const received = await roundTrip(4, (ws, tcp) => {
      ws.send('first');
      tcp.write(new PreparedBroadcast(['second', 'third']).frames());
      ws.send('fourth');
    });
    expect(received).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('are encoded once per broadcast, however many sockets get them', () => {
    const tick = new PreparedBroadcast(['{"type":"pledge","seq":1}']);
    expect(tick.frames()).toBe(tick.frames());
    expect([...tick.frames().subarray(0, 2)]).toEqual([0x81, tick.texts[0]!.length]);
  });
});
