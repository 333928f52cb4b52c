/**
 * A holder of a leaked overlay key floods pings from a socket it never reads, against the real
 * server on a real port: the server closes that socket, never queues more than the slow-consumer
 * limit for it, and `/readyz` keeps answering throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SLOW_CONSUMER_HARD_BYTES } from '../../server/overlay/hub.js';
import { createChannel, eventually, startHarness, type Harness } from '../support/harness.js';

const CH = 'flood';
const PING = JSON.stringify({ type: 'ping' });
/** More pings than any budget allows; before the fix every one was answered. */
const MAX_PINGS = 400_000;
const BATCH = 500;

let h: Harness;
let base = '';

beforeAll(async () => {
  h = await startHarness({ label: 'overlay_flood', workers: false });
  await createChannel(h, CH, { requireApproval: false });
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

/** Whether the server still holds an open overlay socket (closing ones wait out the close handshake). */
const serverSocketOpen = (): boolean => [...h.app.websocketServer.clients].some((s) => s.readyState === WebSocket.OPEN);

/** The largest queue the server holds for any overlay socket right now. */
function serverBuffered(): number {
  let max = 0;
  for (const socket of h.app.websocketServer.clients) max = Math.max(max, socket.bufferedAmount);
  return max;
}

/** Opens an overlay socket, waits for its snapshot, then stops reading from it. */
async function pausedReader(): Promise<WebSocket> {
  const { overlayKey } = await h.runtime.services.channels.get(CH);
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/overlay/${CH}?key=${encodeURIComponent(overlayKey)}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  // Every byte the server sends from now on stays queued on its side.
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  ws.on('error', () => undefined);
  return ws;
}

/** Sends `ping` in batches until the server closes the socket; checks readiness between batches. */
async function flood(ws: WebSocket, ping: () => void) {
  const rssBefore = process.memoryUsage().rss;
  let sent = 0;
  let maxBuffered = 0;
  let readyChecks = 0;
  while (sent < MAX_PINGS && serverSocketOpen()) {
    for (let i = 0; i < BATCH; i++) ping();
    sent += BATCH;
    await new Promise((resolve) => setImmediate(resolve));
    maxBuffered = Math.max(maxBuffered, serverBuffered());
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    readyChecks += 1;
  }
  // The socket is closed, then destroyed once the close handshake times out (it never answers).
  await eventually(async () => h.app.websocketServer.clients.size === 0);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.terminate();
  await closed;
  return { sent, maxBuffered, readyChecks, rssGrowth: process.memoryUsage().rss - rssBefore };
}

describe('overlay ping flood from a paused reader', () => {
  it('closes a socket flooding overlay pings, keeps its queue bounded and stays ready', async () => {
    const ws = await pausedReader();
    const result = await flood(ws, () => ws.send(PING));
    expect(result.sent).toBeLessThan(MAX_PINGS);
    expect(result.maxBuffered).toBeLessThanOrEqual(SLOW_CONSUMER_HARD_BYTES);
    expect(result.readyChecks).toBeGreaterThan(0);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // Loose: only to catch the unbounded growth (hundreds of MB) this flood caused before.
    expect(result.rssGrowth).toBeLessThan(200 * 1024 * 1024);
  }, 60_000);

  it('does the same for websocket-level ping frames, which ws would answer by itself', async () => {
    const ws = await pausedReader();
    const result = await flood(ws, () => ws.ping());
    expect(result.sent).toBeLessThan(MAX_PINGS);
    expect(result.maxBuffered).toBeLessThanOrEqual(SLOW_CONSUMER_HARD_BYTES);
    expect(result.readyChecks).toBeGreaterThan(0);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  }, 60_000);
});
