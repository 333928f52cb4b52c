/** A real `ws` server and client on a loopback port, for tests of what reaches the wire. */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';

export interface WsPair {
  /** The server's side of the connection, and the TCP socket its upgrade ran on. */
  server: WebSocket;
  tcp: Socket;
  client: WebSocket;
  /** Resolves with the first `count` texts the client's own frame parser delivered. */
  received(count: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function openWsPair(options: Omit<ServerOptions, 'port' | 'host'> = {}): Promise<WsPair> {
  const wss = new WebSocketServer({ ...options, port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const connection = new Promise<[WebSocket, IncomingMessage]>((resolve) => wss.once('connection', (ws, request) => resolve([ws, request])));
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  const texts: string[] = [];
  const waiters: Array<{ count: number; resolve: (texts: string[]) => void; reject: (error: Error) => void }> = [];
  client.on('message', (data, isBinary) => {
    texts.push(isBinary ? `<binary ${String(data)}>` : String(data));
    for (const w of waiters.filter((w) => texts.length >= w.count)) w.resolve(texts.slice(0, w.count));
  });
  client.on('close', (code) => {
    for (const w of waiters) w.reject(new Error(`closed with ${code} after ${texts.length} messages`));
  });
  const [server, request] = await connection;
  await new Promise<void>((resolve, reject) => {
    if (client.readyState === WebSocket.OPEN) resolve();
    else client.once('open', () => resolve()).once('error', reject);
  });
  return {
    server,
    tcp: request.socket,
    client,
    received: (count) =>
      texts.length >= count ? Promise.resolve(texts.slice(0, count)) : new Promise((resolve, reject) => waiters.push({ count, resolve, reject })),
    async close() {
      client.removeAllListeners('close');
      client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };
}
