/**
 * Edges of the HTTP surface: a Content-Security-Policy on the Twitch login pages (one of them
 * shows a token) and on the API docs, and the router's own refusals in the one error shape.
 */
import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.js';
import { loadConfig } from '../../server/config.js';
import { buildApp } from '../../server/http/app.js';
import { authRoutes } from '../../server/http/routes/auth.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

let database: TestDatabase;
let db: DbHandle;
let app: FastifyInstance;
let port = 0;

beforeAll(async () => {
  database = await createTestDatabase('http_edges');
  db = createDb(database.connectionString, { max: 2 });
  app = await buildApp({
    config: loadConfig({}),
    db,
    readiness: [],
    routes: [],
    plugins: [authRoutes({ twitch: null, publicUrl: 'http://localhost:3000', now: () => new Date() })],
  });
  port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
});

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

/** A raw GET, so the path reaches the router exactly as written (no client-side URL parsing). */
function rawGet(path: string): Promise<{ status: number; body: string; contentType: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP edges', () => {
  it('sends a script-free CSP with the Twitch login pages', async () => {
    const res = await app.inject({ method: 'GET', url: '/auth/twitch?as=bot' });
    expect(res.headers['content-type']).toContain('text/html');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('sends a CSP with the API docs page, without upgrading plain-http instances', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it('answers a malformed URL in the error shape', async () => {
    const res = await rawGet('/api/v1/channels/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/json');
    expect(JSON.parse(res.body)).toEqual({ error: { code: 'BAD_URL', message: expect.any(String) } });
  });
});
