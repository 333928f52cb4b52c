/**
 * Shutting the real app down with overlays connected: every page hears 1001 "going away" (so it
 * reconnects), and an overlay that never answers the close frame (an OBS machine gone to sleep)
 * does not hold the shutdown for the ws default of 30 s.
 */
import type { FastifyInstance } from 'fastify';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { createChannel, startHarness, type Harness } from '../support/harness.js';

const CH = 'shutdowncast';

let h: Harness;
let app: FastifyInstance;
let url = '';

/** Opens one overlay socket and resolves once its snapshot has arrived. */
function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'snapshot') resolve(socket);
    });
    socket.on('error', reject);
  });
}

const closed = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

beforeAll(async () => {
  h = await startHarness({ label: 'overlay_shutdown' });
  await createChannel(h, CH, { requireApproval: false });
  const { overlayKey } = await h.runtime.services.channels.get(CH);
  app = await buildMissionApp(h.runtime);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  url = `${base.replace(/^http/, 'ws')}/ws/overlay/${CH}?key=${encodeURIComponent(overlayKey)}`;
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('overlay sockets at shutdown', () => {
  it('tells every page it is going away and does not wait on one that never answers', async () => {
    const polite = await connect();
    const stalled = await connect();
    // The stalled page stops reading: it never sees the close frame, so it never answers it.
    const stalledWire = (stalled as unknown as { _socket: Socket })._socket;
    stalledWire.pause();
    const politeClose = closed(polite);
    const stalledWireClosed = new Promise((resolve) => stalledWire.once('close', resolve));

    // Without a bound on the close handshake this waits 30 s, past the test's timeout.
    await app.close();

    expect(await politeClose).toEqual({ code: 1001, reason: 'server shutting down' });
    await vi.waitFor(() => expect(app.websocketServer.clients.size).toBe(0));
    // The server destroyed the stalled connection; once the page reads again it sees the close.
    const stalledClose = closed(stalled);
    stalledWire.resume();
    await stalledWireClosed;
    expect((await stalledClose).code).toBe(1001);
  }, 10_000);
});
