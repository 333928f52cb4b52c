/**
 * Access control, table-driven: every write route × every kind of caller (tokens, chat users the
 * bot relays, dashboard sessions, a viewer signed in on the public board). Only the intended
 * callers succeed; every other one gets 401 (no or bad credential) or 403 (the wrong one) as
 * `{error:{code,message}}`, and neither the journal nor the audit trail moves. The table is
 * checked against the routes the app registers, so a new write route cannot go untried. Then the
 * rate limits (per token, per IP, the bot exempt by a high limit, the overlay per IP) and the
 * secure headers. The restricted reads have their own table in `access-reads.test.ts`.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app.js';
import { missionRoutes } from '../../server/http/routes/missions.js';
import { channelRoutes } from '../../server/http/routes/channels.js';
import { createTokenService } from '../../server/services/tokens.js';
import {
  CHANNEL_MEMBERS,
  EVERYONE,
  MODERATORS,
  OWNER_OR_ADMIN,
  SESSION_USERS,
  TWITCH_SELVES,
  UNAUTHENTICATED,
  startAccessWorld,
  writeRoutesOf,
  type AccessWorld,
  type Who,
  type WriteMethod,
} from '../support/access-world.js';
import { asAdmin, asChatUser, call, expectAuditOk, type Harness } from '../support/harness.js';

const CH = 'acl_home';
const OTHER = 'acl_other';

interface Cell {
  /** Prepares the state the write needs; returns the request (and any headers it needs besides the caller's). */
  setup(): Promise<{ method: WriteMethod; url: string; payload?: Record<string, unknown>; headers?: Record<string, string> }>;
  allowed: Who[];
  success: number;
}

let world: AccessWorld;
let h: Harness;
const tokens = { owner: '', moderator: '' };
const headersOf = (who: Who) => world.headersOf(who);
const freshMission = (open: boolean) => world.freshMission(open);

const viewerBody = { userId: 'dash1', login: 'dashviewer', displayName: 'DashViewer' };
const mission = (path: string, open: boolean, payload?: Record<string, unknown>) => async () => ({
  method: 'POST' as const,
  url: `/api/v1/channels/${CH}/missions/${await freshMission(open)}/${path}`,
  payload,
});

const ROUTES: Record<string, Cell> = {
  'POST /channels': {
    setup: async () => ({ method: 'POST', url: '/api/v1/channels', payload: { login: `acl_${randomBytes(4).toString('hex')}` } }),
    allowed: ['admin', 'adminSession'],
    success: 201,
  },
  'PATCH /channels/:c/settings': {
    setup: async () => ({ method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, payload: { minStake: 10 } }),
    allowed: OWNER_OR_ADMIN,
    success: 200,
  },
  'POST /channels/:c/overlay-key': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/overlay-key` }),
    allowed: OWNER_OR_ADMIN,
    success: 200,
  },
  'POST /channels/:c/pause': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/pause` }),
    allowed: MODERATORS,
    success: 200,
  },
  'POST /channels/:c/resume': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/resume` }),
    allowed: MODERATORS,
    success: 200,
  },
  'POST /channels/:c/viewers/:l/give': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/viewers/proposer1/give`, payload: { amount: 5 } }),
    allowed: MODERATORS,
    success: 200,
  },
  'POST /channels/:c/viewers/:l/take': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/viewers/proposer1/take`, payload: { amount: 1 } }),
    allowed: MODERATORS,
    success: 200,
  },
  'POST /channels/:c/missions': {
    setup: async () => ({
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      payload: { text: 'A mission from anyone', amount: 10, proposer: viewerBody },
    }),
    allowed: CHANNEL_MEMBERS,
    success: 201,
  },
  'POST /channels/:c/missions/:n/pledges': {
    setup: mission('pledges', true, { amount: 10, viewer: viewerBody }),
    allowed: CHANNEL_MEMBERS,
    success: 201,
  },
  'POST /channels/:c/missions/:n/approve': { setup: mission('approve', false), allowed: MODERATORS, success: 200 },
  'POST /channels/:c/missions/:n/reject': { setup: mission('reject', false, { reason: 'no' }), allowed: MODERATORS, success: 200 },
  'POST /channels/:c/missions/:n/success': { setup: mission('success', true), allowed: MODERATORS, success: 200 },
  'POST /channels/:c/missions/:n/fail': { setup: mission('fail', true), allowed: MODERATORS, success: 200 },
  // A chat viewer may cancel only their own mission; this one was proposed by someone else.
  'POST /channels/:c/missions/:n/cancel': { setup: mission('cancel', true), allowed: MODERATORS, success: 200 },
  'POST /channels/:c/missions/:n/extend': { setup: mission('extend', true, { duration: '5m' }), allowed: MODERATORS, success: 200 },
  'POST /channels/:c/tokens': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/tokens`, payload: { role: 'moderator', label: 'matrix' } }),
    allowed: OWNER_OR_ADMIN,
    success: 201,
  },
  'DELETE /channels/:c/tokens/:id': {
    setup: async () => {
      const { id } = await createTokenService(h.runtime.db.db).issueToken({ channelId: world.homeId, role: 'moderator' });
      return { method: 'DELETE', url: `/api/v1/channels/${CH}/tokens/${id}` };
    },
    allowed: OWNER_OR_ADMIN,
    success: 200,
  },
  'DELETE /channels/:c/sessions/:id': {
    // A fresh browser of the channel's moderator: the session an owner signs out.
    setup: async () => {
      const { id } = await h.app.sessions.createTwitchSession({ ...SESSION_USERS.moderator, displayName: SESSION_USERS.moderator.login });
      return { method: 'DELETE', url: `/api/v1/channels/${CH}/sessions/${id}` };
    },
    allowed: OWNER_OR_ADMIN,
    success: 204,
  },
  'POST /channels/:c/overlay/test': {
    setup: async () => ({ method: 'POST', url: `/api/v1/channels/${CH}/overlay/test` }),
    allowed: OWNER_OR_ADMIN,
    success: 200,
  },
  'POST /channels/:c/me/pledges': {
    // The page sends a fresh Idempotency-Key with every click; the route refuses a pledge without one.
    setup: async () => ({
      method: 'POST',
      url: `/api/v1/channels/${CH}/me/pledges`,
      payload: { mission: await freshMission(true), amount: 10 },
      headers: { 'idempotency-key': `me-${randomBytes(6).toString('hex')}` },
    }),
    allowed: TWITCH_SELVES,
    success: 201,
  },
};

/**
 * Write routes the table above leaves out on purpose. Each needs no role, so a caller matrix says
 * nothing about it; what it does is tested where named.
 */
const NOT_IN_TABLE: Record<string, string> = {
  // Ends the caller's own session, whoever calls it (a signed-out browser gets 204 too): tests/integration/dashboard-session.test.ts.
  'POST /logout': 'signs the caller itself out',
  // Registered always, but answers 404 to everyone unless `npm run demo` wired the chat simulator: tests/e2e/dashboard-demo-chat.test.ts.
  'POST /demo/chat': 'demo only',
};

/** `POST /api/v1/channels/:channel/viewers/:login/give` as the table names it: `POST /channels/:c/viewers/:l/give`. */
const tableKeyOf = (route: string) => route.replace(' /api/v1/', ' /').replace('/:channel', '/:c').replace('/:login', '/:l');

beforeAll(async () => {
  world = await startAccessWorld('acl', CH, OTHER);
  h = world.h;
  tokens.owner = world.tokens.owner.token;
  tokens.moderator = world.tokens.moderator.token;
  await freshMission(true); // proposer1 exists: the target of give/take
});
afterAll(async () => h?.close());

describe('every write route × every caller', () => {
  it('every write route the app registers is in the table or in the list left out on purpose', () => {
    const registered = writeRoutesOf(h.app).map(tableKeyOf);
    expect(registered.length).toBeGreaterThan(20);
    const missing = registered.filter((route) => !(route in ROUTES) && !(route in NOT_IN_TABLE));
    expect(missing, 'a write route no caller is tried against').toEqual([]);
    // And the table names no route the app does not have (a renamed route would leave a dead row).
    expect([...Object.keys(ROUTES), ...Object.keys(NOT_IN_TABLE)].filter((route) => !registered.includes(route))).toEqual([]);
  });

  // Cancel what a cell left active, so the channel's open-mission limit is never the reason for a status.
  afterEach(async () => {
    const channel = await h.runtime.services.channels.get(CH);
    const active = await h.runtime.db.db.execute(
      sql`SELECT number FROM missions WHERE channel_id = ${channel.id} AND status IN ('pending', 'open')`,
    );
    for (const row of active.rows as { number: number }[]) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${row.number}/cancel`, headers: asAdmin });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
  });

  for (const [route, cell] of Object.entries(ROUTES)) {
    it.each(EVERYONE)(`${route} as %s`, async (who) => {
      const request = await cell.setup();
      const before = await world.journalSize();
      const trailBefore = await world.trailSize();
      const res = await call(h, { ...request, headers: { ...headersOf(who), ...request.headers } });
      if (cell.allowed.includes(who)) {
        expect(res.status, JSON.stringify(res.body)).toBe(cell.success);
      } else {
        expect(res.status, JSON.stringify(res.body)).toBe(UNAUTHENTICATED.includes(who) ? 401 : 403);
        const code = UNAUTHENTICATED.includes(who) ? 'UNAUTHORIZED' : who === 'sessionNoCsrf' ? 'CSRF' : expect.any(String);
        expect(res.body.error).toMatchObject({ code });
        expect(typeof res.body.error.message).toBe('string');
        expect(await world.journalSize()).toBe(before);
        expect(await world.trailSize()).toBe(trailBefore);
      }
    });
  }

  it('a viewer cannot approve, judge, grant or change settings whatever the headers say about the role', async () => {
    const n = await freshMission(false);
    const headers = { ...asChatUser(h, CH, { login: 'plainviewer', role: 'viewer' }), 'x-acting-user-role': 'Viewer ' };
    for (const path of [`missions/${n}/approve`, 'viewers/proposer1/give', 'pause']) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/${path}`, headers, payload: path.includes('give') ? { amount: 5 } : undefined });
      expect(res.status, path).toBe(403);
    }
    const bogusRole = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions/${n}/approve`,
      headers: { ...headers, 'x-acting-user-role': 'admin' },
    });
    expect(bogusRole.status).toBe(400);
    expect(bogusRole.body.error.code).toBe('VALIDATION');
  });

  it('the bot acts only for the user it names: a pledge lands on that viewer, never on a body-named one', async () => {
    const n = await freshMission(true);
    const res = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions/${n}/pledges`,
      headers: asChatUser(h, CH, { login: 'realchatter', userId: 'rc1' }),
      payload: { amount: 10, viewer: { userId: 'victim', login: 'victim', displayName: 'Victim' } },
    });
    expect(res.status).toBe(201);
    expect(res.body.pledge.viewer).toMatchObject({ userId: 'rc1', login: 'realchatter' });
    const victim = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/victim` });
    expect(victim.status).toBe(404);
  });

  it('the ledger is intact after the whole table', async () => {
    await expectAuditOk(h, CH);
    await expectAuditOk(h, OTHER);
  });
});

describe('rate limits and secure headers', () => {
  let app: FastifyInstance;
  let overlayKey = '';
  let url = '';

  beforeAll(async () => {
    app = await buildApp({
      config: h.runtime.config,
      db: h.runtime.db,
      readiness: [],
      routes: [channelRoutes({ db: h.runtime.db.db, ...h.runtime.services, publicUrl: 'http://x' }), missionRoutes({ db: h.runtime.db.db, ...h.runtime.services, publicUrl: 'http://x' })],
      plugins: [(await import('../../server/overlay/mount.js')).overlayPlugin(h.runtime, (await import('../../server/overlay/mount.js')).createRuntimeOverlayHub(h.runtime))],
      rateLimit: { perIp: 5, perToken: 8, trustedMax: 200, overlaySocketsPerIp: 3, windowMs: 60_000 },
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    overlayKey = (await h.runtime.services.channels.get(OTHER)).overlayKey;
  });
  afterAll(async () => app?.close());

  const get = (path: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: path, headers, remoteAddress: '10.0.0.1' });

  it('anonymous callers are limited per IP with 429, Retry-After and our error format; another IP is not', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await get(`/api/v1/channels/${CH}`);
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.stringMatching(/retry in/) } });
    // A bad token does not buy a fresh budget: it is charged to the same IP.
    const guessed = await get(`/api/v1/channels/${CH}`, { authorization: 'Bearer nope-nope-nope' });
    expect(guessed.statusCode).toBe(429);
    const elsewhere = await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}`, remoteAddress: '10.0.0.2' });
    expect(elsewhere.statusCode).toBe(200);
    // Probes are never limited.
    expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('a dashboard token is limited per token, not per IP', async () => {
    const headers = { authorization: `Bearer ${tokens.moderator}` };
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const ip = `10.1.0.${i}`; // a token hopping between addresses keeps one budget
      statuses.push((await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}`, headers, remoteAddress: ip })).statusCode);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    expect(statuses[8]).toBe(429);
    // The owner token has its own budget from the same address.
    expect((await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}`, headers: { authorization: `Bearer ${tokens.owner}` }, remoteAddress: '10.1.0.1' })).statusCode).toBe(200);
  });

  it("the bot's service token relays a storm from one IP far above the per-token limit", async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/viewers/proposer1`, headers: asChatUser(h, CH, { login: `storm${i}` }), remoteAddress: '10.2.0.1' }),
      ),
    );
    expect(results.map((r) => r.statusCode).filter((s) => s !== 200)).toEqual([]);
  });

  it('the overlay page is limited per IP; overlay sockets have their own per-IP budget', async () => {
    const page = async () => (await fetch(`${url}/overlay/${OTHER}?key=${encodeURIComponent(overlayKey)}`)).status;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await page());
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await page()).toBe(429);
    const connect = () => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/overlay/${OTHER}?key=${encodeURIComponent(overlayKey)}`);
      return new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      }).finally(() => ws.terminate());
    };
    // The page's spent budget does not block sockets; the sockets' own budget (3 here) does.
    const sockets: number[] = [];
    for (let i = 0; i < 4; i++) sockets.push(await connect());
    expect(sockets).toEqual([101, 101, 101, 429]);
  });

  it('secure headers on API responses, errors and the overlay (frameable) page', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}`, remoteAddress: '10.3.0.1' });
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
    const missing = await app.inject({ method: 'GET', url: '/nope', remoteAddress: '10.3.0.1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
    const overlay = await app.inject({ method: 'GET', url: `/overlay/${OTHER}?key=${encodeURIComponent(overlayKey)}`, remoteAddress: '10.3.0.2' });
    expect(overlay.statusCode).toBe(200);
    expect(overlay.headers['x-frame-options']).toBeUndefined();
    expect(overlay.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
