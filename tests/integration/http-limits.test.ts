/**
 * The HTTP server's own limits, over real sockets: a body trickled byte by byte is cut off with
 * 408, anonymous requests are counted by the rate limit before their body arrives, and sockets
 * beyond the connection cap are dropped.
 */
import { connect, type Socket } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.js';
import { loadConfig } from '../../server/config.js';
import { buildApp, DEFAULT_HTTP_LIMITS } from '../../server/http/app.js';
import { postgresReadiness } from '../../server/http/plugins/health.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const echo: FastifyPluginAsync = async (api) => {
  api.post('/echo', async (request) => ({ got: request.body }));
};

let database: TestDatabase;
let db: DbHandle;
const apps: Array<{ close(): Promise<unknown> }> = [];

async function start(options: Parameters<typeof buildApp>[0]['httpLimits'], perIp = 600) {
  const app = await buildApp({
    config: loadConfig({}),
    db,
    readiness: [postgresReadiness(db)],
    routes: [echo],
    httpLimits: options,
    rateLimit: { perIp },
  });
  apps.push(app);
  const url = new URL(await app.listen({ port: 0, host: '127.0.0.1' }));
  return { port: Number(url.port) };
}

/** A socket and everything it has received, plus a promise of its close. */
function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const startOfSlowPost = 'POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{';

beforeAll(async () => {
  database = await createTestDatabase('http_limits');
  db = createDb(database.connectionString, { max: 3 });
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await db?.close();
  await database?.drop();
});

describe('HTTP server limits', () => {
  it('has request and idle timeouts and a connection cap by default', () => {
    expect(DEFAULT_HTTP_LIMITS.requestTimeoutMs).toBeGreaterThan(0);
    expect(DEFAULT_HTTP_LIMITS.headersTimeoutMs).toBeGreaterThan(0);
    expect(DEFAULT_HTTP_LIMITS.idleTimeoutMs).toBeGreaterThan(0);
    expect(DEFAULT_HTTP_LIMITS.maxConnections).toBeGreaterThan(0);
  });

  it('answers a body that never finishes with 408 and closes the socket', async () => {
    const { port } = await start({ requestTimeoutMs: 300, timeoutCheckIntervalMs: 100 });
    const client = await open(port);
    client.socket.write(startOfSlowPost);
    const trickle = setInterval(() => client.socket.write(' '), 50);
    await client.closed;
    clearInterval(trickle);
    expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('counts anonymous requests against the rate limit before their body arrives', async () => {
    const { port } = await start({}, 2);
    const slow = [await open(port), await open(port)];
    for (const c of slow) c.socket.write(startOfSlowPost);
    const third = await open(port);
    third.socket.write(startOfSlowPost);
    const answered = new Promise<void>((resolve) => third.socket.on('data', () => resolve()));
    await answered;
    expect(third.received()).toMatch(/^HTTP\/1\.1 429/);
    for (const c of [...slow, third]) c.socket.destroy();
  });

  it('drops connections beyond the cap', async () => {
    const { port } = await start({ maxConnections: 2 });
    const kept = [await open(port), await open(port)];
    const dropped = await open(port);
    await dropped.closed;
    expect(dropped.received()).toBe('');
    for (const c of kept) expect(c.socket.destroyed).toBe(false);
    for (const c of kept) c.socket.destroy();
  });
});
