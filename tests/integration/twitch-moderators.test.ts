import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { createTokenService } from '../../server/services/tokens.js';
import { createHelix } from '../../server/twitch/helix.js';
import { syncModerators } from '../../server/twitch/moderators.js';
import { createTokenStore } from '../../server/twitch/token-store.js';
import { wireTwitch, type TwitchWiring } from '../../server/twitch/wiring.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';
import { uniqueName } from '../support/services.js';
import { browserSession, sessionCookieOf, type BrowserSession } from '../support/dashboard.js';

const KEY = 'm'.repeat(40);
const CH = 'bigstreamer';
const TOKEN = /ml_[A-Za-z0-9_-]{43}/;
const logLines: string[] = [];
let database: TestDatabase;
let mock: HelixMock;
let runtime: Runtime;
let wiring: TwitchWiring;
let app: FastifyInstance;
let botToken: string;
let channelId: number;
let proposals = 0;

const mod = { id: '700', login: 'helpfulmod', displayName: 'HelpfulMod' };

beforeAll(async () => {
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  mock.users.set('500', { id: '500', login: CH, displayName: 'BigStreamer' });
  mock.users.set(mod.id, mod);
  mock.users.set('701', { id: '701', login: 'randomviewer', displayName: 'RandomViewer' });
  database = await createTestDatabase('twitch_mods');
  const scopes = ['moderation:read', 'channel:read:redemptions', 'channel:manage:redemptions'];
  const owner = mock.issue('500', scopes);
  await createTokenStore(database.db, KEY).save({
    userId: '500', role: 'broadcaster', login: CH,
    token: { ...owner, scope: scopes, expiresIn: 14_400, obtainmentTimestamp: Date.now() },
  });
  const config = loadConfig({
    DATABASE_URL: database.url,
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_CLIENT_SECRET: 's'.repeat(20),
    TOKEN_ENCRYPTION_KEY: KEY,
    PUBLIC_URL: 'http://localhost:3000',
    LOG_LEVEL: 'info',
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('twmods'), poolMax: 10 });
  wiring = await wireTwitch(runtime);
  app = await buildMissionApp(runtime, { plugins: [wiring.routes] });
  await app.ready();
  channelId = (await runtime.services.channels.create({ login: CH })).id;
  botToken = (await createTokenService(runtime.db.db).issueToken({ role: 'bot', label: 'tests' })).token;
});

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await database?.drop();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

/** A pending mission proposed by a fresh chat viewer through the bot. */
async function pendingMission(): Promise<number> {
  proposals++;
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: {
      authorization: `Bearer ${botToken}`,
      'x-acting-channel': CH,
      'x-acting-user-id': `p${proposals}`,
      'x-acting-user-login': `proposer${proposals}`,
      'x-acting-user-display-name': `proposer${proposals}`,
      'x-acting-user-role': 'viewer',
    },
    payload: { text: `Mission ${proposals}`, amount: 10 },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().status).toBe('pending');
  return res.json().number as number;
}

/** The dashboard sign-in as the Twitch user `userId`; returns the callback's answer. */
async function dashboardLogin(userId: string, channel = CH) {
  const start = await app.inject({ method: 'GET', url: `/auth/twitch?as=moderator&channel=${channel}` });
  expect(start.statusCode).toBe(302);
  const location = new URL(start.headers.location as string);
  expect(location.searchParams.get('scope')).toBe('');
  const code = `code-${userId}-${Math.random().toString(36).slice(2)}`;
  mock.codes.set(code, { userId, scopes: [] });
  return app.inject({ method: 'GET', url: `/auth/twitch/callback?code=${code}&state=${encodeURIComponent(location.searchParams.get('state')!)}` });
}

const approve = (n: number, headers: Record<string, string>, channel = CH) =>
  app.inject({ method: 'POST', url: `/api/v1/channels/${channel}/missions/${n}/approve`, headers });

const sessionCount = async (userId: string) =>
  ((await runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM dashboard_sessions WHERE user_id = ${userId}`)).rows[0] as { n: number }).n;

describe('dashboard sign-in through Twitch', () => {
  let modSession: BrowserSession;

  it('signs a channel moderator (synced on demand) in as moderator: a session, no token, and it approves a mission', async () => {
    mock.moderators.set('500', [mod]);
    const res = await dashboardLogin(mod.id);
    expect(res.statusCode, res.body).toBe(302);
    expect(res.headers.location).toBe(`/c/${CH}`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(TOKEN.test(res.body)).toBe(false);
    const tokens = (await runtime.db.db.execute(sql`SELECT id FROM api_tokens WHERE label LIKE 'twitch:700 %'`)).rows;
    expect(tokens, 'no API token is issued to a person').toHaveLength(0);

    modSession = await browserSession(app, sessionCookieOf(res)!);
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: modSession.cookie } });
    expect(me.json()).toMatchObject({ signedIn: true, user: { login: 'helpfulmod', userId: '700', admin: false }, channels: [{ login: CH, role: 'moderator' }] });

    const n = await pendingMission();
    const approved = await approve(n, modSession.write);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('open');
  });

  it('signs the broadcaster in as owner', async () => {
    const res = await dashboardLogin('500');
    expect(res.statusCode, res.body).toBe(302);
    const owner = await browserSession(app, sessionCookieOf(res)!);
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: owner.cookie } });
    expect(me.json().channels).toEqual([{ login: CH, role: 'owner' }]);
    const channel = await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}`, headers: { cookie: owner.cookie } });
    expect(channel.json().overlayKey, 'the owner sees the overlay key').toEqual(expect.any(String));
  });

  it('refuses someone who is not a moderator with a clear page, opening no session', async () => {
    const res = await dashboardLogin('701');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('randomviewer is not a moderator of bigstreamer');
    expect(sessionCookieOf(res)).toBeUndefined();
    expect(await sessionCount('701')).toBe(0);
  });

  it('refuses an unknown channel and a missing channel', async () => {
    const unknown = await dashboardLogin(mod.id, 'nosuchchannel');
    expect(unknown.statusCode).toBe(403);
    expect(unknown.body).toContain('nosuchchannel is not a channel');
    expect(sessionCookieOf(unknown)).toBeUndefined();
    const missing = await app.inject({ method: 'GET', url: '/auth/twitch?as=moderator' });
    expect(missing.statusCode).toBe(400);
  });

  it('a moderator of this channel is refused on another channel, which changes nothing', async () => {
    await runtime.services.channels.create({ login: 'otherchan', settings: { requireApproval: true } });
    const proposed = await app.inject({
      method: 'POST',
      url: '/api/v1/channels/otherchan/missions',
      headers: {
        authorization: `Bearer ${botToken}`,
        'x-acting-channel': 'otherchan',
        'x-acting-user-id': 'o1',
        'x-acting-user-login': 'otherviewer',
        'x-acting-user-display-name': 'otherviewer',
        'x-acting-user-role': 'viewer',
      },
      payload: { text: 'Elsewhere', amount: 10 },
    });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const n = proposed.json().number as number;
    const res = await approve(n, modSession.write, 'otherchan');
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('otherchan') });
    const mission = await app.inject({ method: 'GET', url: `/api/v1/channels/otherchan/missions/${n}` });
    expect(mission.json().status).toBe('pending');
  });

  it('a moderator the next sync no longer lists loses access at once', async () => {
    mock.moderators.set('500', []);
    await syncModerators(runtime.db.db, createHelix(wiring.twitch!), channelId, '500', new Date());
    const n = await pendingMission();
    const denied = await approve(n, modSession.write);
    expect(denied.statusCode).toBe(403);
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: modSession.cookie } });
    expect(me.json().channels).toEqual([]);
  });

  it('never logs a session cookie', () => {
    const log = logLines.join('\n');
    expect(log).toContain('dashboard sign-in through Twitch');
    expect(log).not.toContain(modSession.cookie.split('=')[1]!);
  });
});
