/**
 * Access control, table-driven: every write route × every kind of caller (tokens and dashboard sessions). Only the
 * intended callers succeed; every other one gets 401 (no or bad credential) or 403 (the wrong
 * one) as `{error:{code,message}}`, and neither the journal nor the audit trail moves. Then the rate limits (per
 * token, per IP, the bot exempt by a high limit, the overlay per IP) and the secure headers.
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
import { browserSession, signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { asAdmin, asChatUser, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'acl_home';
const OTHER = 'acl_other';

type Who =
  | 'none'
  | 'wrong'
  | 'otherOwner'
  | 'otherBot'
  | 'moderator'
  | 'owner'
  | 'admin'
  | 'botViewer'
  | 'botModerator'
  | 'botBroadcaster'
  | 'botFromOtherChannel'
  /** Dashboard sessions (cookie + CSRF token + same-origin Origin): the admin, this channel's broadcaster and moderator. */
  | 'adminSession'
  | 'ownerSession'
  | 'moderatorSession'
  /** A moderator of the other channel only. */
  | 'otherModeratorSession'
  /** The admin's session without the CSRF token, and one that was logged out. */
  | 'sessionNoCsrf'
  | 'revokedSession';
const EVERYONE: Who[] = [
  'none', 'wrong', 'otherOwner', 'otherBot', 'moderator', 'owner', 'admin', 'botViewer', 'botModerator', 'botBroadcaster', 'botFromOtherChannel',
  'adminSession', 'ownerSession', 'moderatorSession', 'otherModeratorSession', 'sessionNoCsrf', 'revokedSession',
];
const UNAUTHENTICATED: Who[] = ['none', 'wrong', 'revokedSession'];

const CHANNEL_MEMBERS: Who[] = ['moderator', 'owner', 'admin', 'botViewer', 'botModerator', 'botBroadcaster', 'adminSession', 'ownerSession', 'moderatorSession'];
const MODERATORS: Who[] = ['moderator', 'owner', 'admin', 'botModerator', 'botBroadcaster', 'adminSession', 'ownerSession', 'moderatorSession'];
const OWNER_OR_ADMIN: Who[] = ['owner', 'admin', 'adminSession', 'ownerSession'];

interface Cell {
  /** Prepares the state the write needs; returns the URL and body. */
  setup(): Promise<{ method: 'POST' | 'PATCH'; url: string; payload?: Record<string, unknown> }>;
  allowed: Who[];
  success: number;
}

let h: Harness;
const tokens = { owner: '', moderator: '', otherOwner: '', otherBot: '' };
const sessions: Partial<Record<Who, BrowserSession>> = {};
let proposals = 0;

function headersOf(who: Who): Record<string, string> {
  switch (who) {
    case 'none':
      return {};
    case 'wrong':
      return { authorization: `Bearer ml_${randomBytes(24).toString('hex')}` };
    case 'otherOwner':
      return { authorization: `Bearer ${tokens.otherOwner}` };
    case 'otherBot':
      // A bot token bound to the other channel, relaying a message that claims to be from this one.
      return { ...asChatUser(h, CH, { login: 'sneaky', role: 'broadcaster' }), authorization: `Bearer ${tokens.otherBot}` };
    case 'moderator':
      return { authorization: `Bearer ${tokens.moderator}` };
    case 'owner':
      return { authorization: `Bearer ${tokens.owner}` };
    case 'admin':
      return asAdmin;
    case 'botViewer':
      return asChatUser(h, CH, { login: 'plainviewer', role: 'viewer' });
    case 'botModerator':
      return asChatUser(h, CH, { login: 'chatmod', role: 'moderator' });
    case 'botBroadcaster':
      return asChatUser(h, CH, { login: CH, role: 'broadcaster' });
    case 'botFromOtherChannel':
      // The real bot token, but the message came from another channel (X-Acting-Channel mismatch).
      return asChatUser(h, OTHER, { login: OTHER, role: 'broadcaster' });
    case 'sessionNoCsrf': {
      const { cookie, origin } = sessions.adminSession!.write;
      return { cookie: cookie!, origin: origin! };
    }
    default:
      return sessions[who]!.write;
  }
}

/** A fresh mission proposed by a fresh viewer; approved when `open` is asked. */
async function freshMission(open: boolean): Promise<number> {
  proposals++;
  // Proposed by a chat viewer, so it starts pending (a moderator's proposal opens at once).
  const res = await call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: asChatUser(h, CH, { login: `proposer${proposals}`, userId: `p${proposals}` }),
    payload: { text: `Mission ${proposals}`, amount: 10 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const n = res.body.number as number;
  if (open) {
    const approved = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/approve`, headers: asAdmin });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  }
  return n;
}

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
};

async function journalSize(): Promise<number> {
  const r = (await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM transfers`)).rows[0] as { n: number };
  return r.n;
}

/** Entries in the audit trail: a refused write records nothing. */
async function trailSize(): Promise<number> {
  const r = (await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM activity`)).rows[0] as { n: number };
  return r.n;
}

beforeAll(async () => {
  h = await startHarness({ label: 'acl', backend: 'postgres', workers: false });
  const settings = { createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50, requireApproval: true };
  const home = await createChannel(h, CH, settings);
  await createChannel(h, OTHER, settings);
  const service = createTokenService(h.runtime.db.db);
  const homeId = (await h.runtime.services.channels.get(CH)).id;
  const otherId = (await h.runtime.services.channels.get(OTHER)).id;
  tokens.owner = (await service.issueToken({ channelId: homeId, role: 'owner' })).token;
  tokens.moderator = (await service.issueToken({ channelId: homeId, role: 'moderator' })).token;
  tokens.otherOwner = (await service.issueToken({ channelId: otherId, role: 'owner' })).token;
  tokens.otherBot = (await service.issueToken({ channelId: otherId, role: 'bot' })).token;
  expect(home.login).toBe(CH);
  await freshMission(true); // proposer1 exists: the target of give/take

  sessions.adminSession = await signInAsAdmin(h.app);
  const twitchSession = async (userId: string, login: string, moderates?: number) => {
    if (moderates !== undefined) {
      await h.runtime.db.db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${moderates}, ${userId}, ${login}, ${login})`);
    }
    return browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId, login, displayName: login })).token);
  };
  // The home channel's broadcaster id is unresolved, so its broadcaster is known by login.
  sessions.ownerSession = await twitchSession(`id-${CH}`, CH);
  sessions.moderatorSession = await twitchSession('5001', 'homemod', homeId);
  sessions.otherModeratorSession = await twitchSession('5002', 'othermod', otherId);
  sessions.revokedSession = await signInAsAdmin(h.app);
  expect((await h.app.inject({ method: 'POST', url: '/logout', headers: sessions.revokedSession.write })).statusCode).toBe(204);
});
afterAll(async () => h?.close());

describe('every write route × every caller', () => {
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
      const before = await journalSize();
      const trailBefore = await trailSize();
      const res = await call(h, { ...request, headers: headersOf(who) });
      if (cell.allowed.includes(who)) {
        expect(res.status, JSON.stringify(res.body)).toBe(cell.success);
      } else {
        expect(res.status, JSON.stringify(res.body)).toBe(UNAUTHENTICATED.includes(who) ? 401 : 403);
        const code = UNAUTHENTICATED.includes(who) ? 'UNAUTHORIZED' : who === 'sessionNoCsrf' ? 'CSRF' : expect.any(String);
        expect(res.body.error).toMatchObject({ code });
        expect(typeof res.body.error.message).toBe('string');
        expect(await journalSize()).toBe(before);
        expect(await trailSize()).toBe(trailBefore);
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
