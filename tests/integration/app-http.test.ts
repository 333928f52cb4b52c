import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loadConfig } from '../../server/config.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { runMigrations } from '../../db/migrate.js';
import { buildApp } from '../../server/http/app.js';
import { postgresReadiness } from '../../server/http/plugins/health.js';
import { httpStatusFor } from '../../server/http/plugins/error-handler.js';
import { Amount, ChannelParams, ErrorResponse, ListOf, MissionParams, StrictObject } from '../../server/http/schemas/common.js';
import { errors } from '../../server/domain/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const testRoutes: FastifyPluginAsync = async (plain) => {
  const api = plain.withTypeProvider<TypeBoxTypeProvider>();
  api.post(
    '/channels/:channel/test-pledges',
    {
      schema: {
        params: ChannelParams,
        body: StrictObject({ amount: Amount, note: Type.Optional(Type.String({ maxLength: 20 })) }),
        response: { 200: Type.Object({ channel: Type.String(), amount: Type.Integer() }), 400: ErrorResponse },
      },
    },
    async (request) => ({ channel: request.params.channel, amount: request.body.amount }),
  );
  api.get(
    '/channels/:channel/missions/:n/test',
    { schema: { params: MissionParams, response: { 200: ListOf(Type.Object({ n: Type.Integer() })) } } },
    async (request) => ({ items: [{ n: request.params.n }], nextCursor: null }),
  );
  api.get('/boom', async () => {
    throw new Error('connection to 10.0.0.7:5432 refused: password authentication failed for user "ml"');
  });
  api.get('/cooldown', async () => {
    throw errors.cooldown(2_500);
  });
  api.get('/funds', async () => {
    throw errors.insufficientFunds(40, 100);
  });
};

let database: TestDatabase;
let db: DbHandle;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase('app_http');
  db = createDb(database.connectionString, { max: 3 });
  await runMigrations(db);
  const config = loadConfig({ PUBLIC_URL: 'https://missions.example.com', ADMIN_TOKEN: 'admin-token-0123456789' });
  app = await buildApp({ config, db, readiness: [postgresReadiness(db)], routes: [testRoutes] });
});

afterAll(async () => {
  await app?.close();
  await db?.close();
  await database?.drop();
});

describe('health', () => {
  it('GET /healthz answers ok', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when every check passes', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok' } });
  });

  it('GET /readyz is 503 naming the failed and the timed-out check', async () => {
    const config = loadConfig({});
    const other = await buildApp({
      config,
      db,
      routes: [],
      readinessTimeoutMs: 200,
      readiness: [
        postgresReadiness(db),
        { name: 'redis', check: () => Promise.reject(new Error('ECONNREFUSED 10.1.2.3:6379')) },
        { name: 'slow', check: () => new Promise<void>(() => undefined) },
      ],
    });
    try {
      const res = await other.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', checks: { postgres: 'ok', redis: 'failed', slow: 'timeout' } });
      expect(res.body).not.toContain('10.1.2.3');
    } finally {
      await other.close();
    }
  });
});

describe('docs and metrics', () => {
  it('serves a valid OpenAPI 3 document with the bearer scheme and the routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Mission Link API');
    expect(doc.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/api/v1/channels/{channel}/test-pledges']),
    );
    expect(doc.paths['/metrics']).toBeUndefined();
    // Relative, so "Try it out" works at whichever address /docs was opened (127.0.0.1 or localhost).
    expect(doc.servers).toEqual([{ url: '/' }]);
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it('exposes the Mission Link metrics, fed by other code through app.metrics', async () => {
    app.metrics.pledges.inc({ result: 'ok' }, 3);
    app.metrics.settlements.inc({ outcome: 'refunded' });
    app.metrics.jobLag.observe({ queue: 'deadlines' }, 0.2);
    app.metrics.setWebsocketClientsSource(() => 7);
    await app.inject({ method: 'GET', url: '/healthz' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('mission_link_pledges_total{result="ok"} 3');
    expect(res.body).toContain('mission_link_settlements_total{outcome="refunded"} 1');
    expect(res.body).toContain('mission_link_job_lag_seconds_count{queue="deadlines"} 1');
    expect(res.body).toContain('mission_link_websocket_clients 7');
    expect(res.body).toContain('mission_link_settlement_duration_seconds_bucket');
    expect(res.body).toMatch(/mission_link_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    expect(res.body).toContain('process_cpu_user_seconds_total');
  });
});

describe('error format', () => {
  const pledge = (payload: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/channels/alice/test-pledges',
      headers: { 'content-type': contentType },
      payload,
    });

  it('404 for an unknown route, without echoing the query string', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nope?key=supersecret' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
    expect(res.body).not.toContain('supersecret');
  });

  it('accepts a valid body', async () => {
    const res = await pledge('{"amount":100}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ channel: 'alice', amount: 100 });
  });

  it('malformed JSON is 400 INVALID_JSON', async () => {
    const res = await pledge('{"amount":');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('INVALID_JSON');
  });

  it('a non-JSON content type is 415', async () => {
    const res = await pledge('amount=100', 'text/plain');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over the limit is 413', async () => {
    const res = await pledge(JSON.stringify({ amount: 1, note: 'x'.repeat(20_000) }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['an unknown field', '{"amount":100,"admin":true}', /unknown field "admin"/],
    ['a string amount', '{"amount":"100"}', /body\.amount must be integer/],
    ['an amount above 2^53', '{"amount":9007199254740993}', /body\.amount must be <=/],
    ['a fractional amount', '{"amount":1.5}', /body\.amount must be integer/],
    ['a zero amount', '{"amount":0}', /body\.amount must be >= 1/],
    ['a missing amount', '{}', /body\.amount is required/],
    ['an array body', '[1]', /body must be object/],
  ])('%s is 400 VALIDATION naming the field', async (_label, body, message) => {
    const res = await pledge(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION');
    expect(res.json().error.message).toMatch(message);
  });

  it('path params are coerced but still validated', async () => {
    const ok = await app.inject({ method: 'GET', url: '/api/v1/channels/alice/missions/4/test' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ items: [{ n: 4 }], nextCursor: null });
    const bad = await app.inject({ method: 'GET', url: '/api/v1/channels/Alice!/missions/4/test' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/params\.channel/);
    const zero = await app.inject({ method: 'GET', url: '/api/v1/channels/alice/missions/0/test' });
    expect(zero.statusCode).toBe(400);
  });

  it('domain errors map to their status, COOLDOWN with Retry-After', async () => {
    const cooldown = await app.inject({ method: 'GET', url: '/api/v1/cooldown' });
    expect(cooldown.statusCode).toBe(429);
    expect(cooldown.headers['retry-after']).toBe('3');
    expect(cooldown.json().error.code).toBe('COOLDOWN');
    const funds = await app.inject({ method: 'GET', url: '/api/v1/funds' });
    expect(funds.statusCode).toBe(422);
    expect(funds.json()).toEqual({ error: { code: 'INSUFFICIENT_FUNDS', message: 'Balance 40 is less than 100' } });
    expect(httpStatusFor('MISSION_NOT_FOUND')).toBe(404);
    expect(httpStatusFor('OVERLOADED')).toBe(503);
    expect(httpStatusFor('RESOLVER_HAS_PLEDGED')).toBe(403);
  });

  it('a 5xx hides internals', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(res.body).not.toMatch(/10\.0\.0\.7|password|stack/);
  });
});

describe('headers', () => {
  it('sets secure headers and HSTS for an https public URL, even on errors', async () => {
    for (const url of ['/healthz', '/api/v1/nope']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['strict-transport-security']).toContain('max-age=');
    }
  });

  it('echoes a sane incoming request id and replaces an unsafe one', async () => {
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'a b\u0000c' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await app.inject({ method: 'GET', url: '/healthz' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets frameable pages (the overlay) be embedded, and sends no HSTS for http', async () => {
    const overlay: FastifyPluginAsync = async (root) => {
      root.get('/overlay/:channel', async () => 'page');
      root.get('/embed', { config: { frameable: true } }, async () => 'page');
    };
    const other = await buildApp({ config: loadConfig({}), db, readiness: [], routes: [], plugins: [overlay] });
    try {
      for (const url of ['/overlay/alice?key=k', '/embed']) {
        const res = await other.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-frame-options']).toBeUndefined();
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      }
    } finally {
      await other.close();
    }
  });
});
