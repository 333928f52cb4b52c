import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Value } from '@sinclair/typebox/value';
import type { MissionDto } from '../../server/domain/types.js';
import { ChannelParam } from '../../server/http/schemas/common.js';
import type { DomainEvent, EventBus } from '../../server/events/types.js';
import { createOverlayHub, type OverlayHub } from '../../server/overlay/hub.js';
import { overlayKeyMatches } from '../../server/overlay/key.js';
import overlayRoutes from '../../server/overlay/routes.js';

const overlayDir = fileURLToPath(new URL('../../overlay/', import.meta.url));
const KEY = 'test-overlay-key-0123456789abcdefghijklmnopq';

function memoryBus(): EventBus {
  const handlers = new Set<(event: DomainEvent) => void>();
  return {
    async publish(event) {
      for (const handler of handlers) handler(event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  };
}

const mission: MissionDto = {
  number: 1, text: 'No deaths this run', status: 'open', pot: 500, backers: 3,
  proposer: { userId: '1', login: 'alice', displayName: 'alice' },
  createdAt: '2024-01-01T00:00:00.000Z', openedAt: '2024-01-01T00:00:00.000Z', deadline: '2024-01-01T00:30:00.000Z',
  resolvedAt: null, settled: false, reason: null, newestBacker: null, graceEndsAt: null, pendingExpiresAt: null,
};

let app: FastifyInstance;
let hub: OverlayHub;
let bus: EventBus;
let base: string;

/** Resolves with the first message or the close, whichever comes first. */
function firstFrame(ws: WebSocket): Promise<{ message?: Record<string, unknown>; code?: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve({ message: JSON.parse(String(data)) as Record<string, unknown> }));
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.once('error', reject);
  });
}
const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  bus = memoryBus();
  hub = createOverlayHub({
    bus,
    loadSnapshot: async () => ({ missions: [mission], currencyName: 'pts', locale: 'en' }),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  app = Fastify({ logger: false });
  await app.register(fastifyWebsocket);
  await app.register(overlayRoutes, {
    hub,
    overlayDir,
    verifyKey: async (channel, key) => {
      if (channel === 'broken') throw new Error('database down');
      // A slow key check (a busy database): frames sent meanwhile must not be lost.
      if (channel === 'slowpoke') await new Promise((resolve) => setTimeout(resolve, 200));
      // `s` has a key here so that only the login rule can turn it away.
      return overlayKeyMatches(['streamer', 'slowpoke', 's'].includes(channel) ? KEY : null, key);
    },
  });
  app.addHook('onClose', async () => hub.close());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
});

describe('overlay page', () => {
  it('serves the page with a strict CSP and no caching for a good key', async () => {
    const res = await fetch(`${base}/overlay/streamer?key=${KEY}&theme=light`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toMatch(/https?:/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('src="assets/overlay.js"');
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
  });

  it('answers 401 with the same headers for a wrong or missing key', async () => {
    for (const query of ['?key=wrong', '', `?key=${KEY}x`, `?key=${'k'.repeat(300)}`]) {
      const res = await fetch(`${base}/overlay/streamer${query}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(await res.text()).toContain('Overlay key not valid');
    }
    expect((await fetch(`${base}/overlay/other?key=${KEY}`)).status).toBe(401);
  });

  it('answers 404 for an impossible channel and 503 when the key cannot be checked', async () => {
    expect((await fetch(`${base}/overlay/${'x'.repeat(40)}?key=${KEY}`)).status).toBe(404);
    expect((await fetch(`${base}/overlay/broken?key=${KEY}`)).status).toBe(503);
  });

  it('refuses a one-character channel, as the REST API does', async () => {
    expect(Value.Check(ChannelParam, 's')).toBe(false);
    expect(Value.Check(ChannelParam, 'st')).toBe(true);
    expect((await fetch(`${base}/overlay/s?key=${KEY}`)).status).toBe(404);
  });
});

describe('overlay assets', () => {
  it('serves scripts and styles with a validator', async () => {
    const res = await fetch(`${base}/overlay/assets/overlay.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await fetch(`${base}/overlay/assets/overlay.js`, { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    const css = await fetch(`${base}/overlay/assets/overlay.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/overlay/assets/icons/users.svg`)).status).toBe(200);
  });

  it.each([
    '/overlay/assets/../../package.json',
    '/overlay/assets/..%2f..%2fpackage.json',
    '/overlay/assets/%2e%2e/%2e%2e/package.json',
    '/overlay/assets/icons/../../server/config.ts',
    '/overlay/assets/..\\..\\package.json',
    '/overlay/assets//etc/passwd',
    '/overlay/assets/.gitignore',
  ])('refuses %s', async (path) => {
    const res = await rawGet(path);
    expect(res.status).toBe(404);
    expect(res.body).not.toContain('"name"');
    expect(res.body).not.toContain('root:');
  });
});

describe('overlay websocket', () => {
  const wsUrl = (channel: string, key: string) => `${base.replace('http', 'ws')}/ws/overlay/${channel}?key=${encodeURIComponent(key)}`;

  it('closes with 4401 and a reason for a wrong key', async () => {
    const ws = new WebSocket(wsUrl('streamer', 'wrong'));
    const frame = await firstFrame(ws);
    expect(frame.code).toBe(4401);
    expect(frame.reason).toBe('invalid overlay key');
    expect(hub.clientCount('streamer')).toBe(0);
  });

  it('turns a one-character channel away even with a matching key', async () => {
    const frame = await firstFrame(new WebSocket(wsUrl('s', KEY)));
    expect(frame.code).toBe(4401);
    expect(hub.clientCount('s')).toBe(0);
  });

  it('closes with 1011 when the key cannot be checked', async () => {
    const frame = await firstFrame(new WebSocket(wsUrl('broken', KEY)));
    expect(frame.code).toBe(1011);
  });

  it('sends a snapshot, then live events, and survives garbage', async () => {
    const ws = new WebSocket(wsUrl('streamer', KEY));
    const frame = await firstFrame(ws);
    expect(frame.message).toMatchObject({ type: 'snapshot', seq: 0, channel: 'streamer', currencyName: 'pts' });
    expect((frame.message?.missions as MissionDto[])[0]?.text).toBe('No deaths this run');

    ws.send(Buffer.from([0, 1, 2, 3]));
    ws.send('{"type":');
    ws.send('x'.repeat(100_000));
    const next = firstFrame(ws);
    await bus.publish({ type: 'mission', channel: 'streamer', at: mission.createdAt, change: 'extended', mission: { ...mission, pot: 900 } });
    expect((await next).message).toMatchObject({ type: 'mission', seq: 1, mission: { pot: 900 } });

    const pong = firstFrame(ws);
    ws.send('{"type":"ping"}');
    expect((await pong).message).toMatchObject({ type: 'pong' });
    ws.close();
    await closed(ws);
  });

  it('answers a ping sent the moment the socket opens, while the key is still being checked', async () => {
    const ws = new WebSocket(wsUrl('slowpoke', KEY));
    const types: string[] = [];
    const gotPong = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        types.push((JSON.parse(String(data)) as { type: string }).type);
        if (types.includes('pong')) resolve();
      }),
    );
    ws.on('open', () => ws.send('{"type":"ping"}'));
    await gotPong;
    expect(types).toContain('pong');
    ws.close();
    await closed(ws);
  });

  it('disconnects every overlay of a channel when its key is rotated', async () => {
    const a = new WebSocket(wsUrl('streamer', KEY));
    const b = new WebSocket(wsUrl('streamer', KEY));
    await Promise.all([firstFrame(a), firstFrame(b)]);
    expect(hub.clientCount('streamer')).toBe(2);
    const closes = Promise.all([closed(a), closed(b)]);
    hub.disconnectChannel('streamer', 4401, 'overlay key rotated');
    const results = await closes;
    expect(results.map((r) => r.code)).toEqual([4401, 4401]);
    expect(results[0]?.reason).toBe('overlay key rotated');
  });
});
