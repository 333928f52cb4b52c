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

/** The dashboard login as the Twitch user `userId`; returns the result page. */
async function dashboardLogin(userId: string, channel = CH) {
  const start = await app.inject({ method: 'GET', url: `/auth/twitch?as=moderator&channel=${channel}` });
  expect(start.statusCode).toBe(302);
  const location = new URL(start.headers.location as string);
  expect(location.searchParams.get('scope')).toBe('');
  const code = `code-${userId}-${Math.random().toString(36).slice(2)}`;
  mock.codes.set(code, { userId, scopes: [] });
  return app.inject({ method: 'GET', url: `/auth/twitch/callback?code=${code}&state=${encodeURIComponent(location.searchParams.get('state')!)}` });
}

const approve = (n: number, token: string) =>
  app.inject({ method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/approve`, headers: { authorization: `Bearer ${token}` } });

describe('dashboard login through Twitch', () => {
  let modToken = '';

  it('gives a channel moderator (synced on demand) a moderator token that approves a mission', async () => {
    mock.moderators.set('500', [mod]);
    const res = await dashboardLogin(mod.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('helpfulmod is a moderator of bigstreamer');
    modToken = TOKEN.exec(res.body)?.[0] ?? '';
    expect(modToken).not.toBe('');

    const row = (await runtime.db.db.execute(sql`SELECT role, label, channel_id FROM api_tokens WHERE label LIKE 'twitch:700 %'`)).rows;
    expect(row).toEqual([{ role: 'moderator', label: 'twitch:700 moderator helpfulmod, issued by the Twitch login', channel_id: channelId }]);

    const n = await pendingMission();
    const approved = await approve(n, modToken);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('open');
  });

  it('gives the broadcaster an owner token', async () => {
    const res = await dashboardLogin('500');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain('bigstreamer is the broadcaster of bigstreamer');
    const row = (await runtime.db.db.execute(sql`SELECT role FROM api_tokens WHERE label LIKE 'twitch:500 %'`)).rows;
    expect(row).toEqual([{ role: 'owner' }]);
  });

  it('refuses someone who is not a moderator, issuing nothing', async () => {
    const res = await dashboardLogin('701');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('randomviewer is not a moderator of bigstreamer');
    expect(TOKEN.test(res.body)).toBe(false);
    const rows = (await runtime.db.db.execute(sql`SELECT id FROM api_tokens WHERE label LIKE 'twitch:701 %'`)).rows;
    expect(rows).toHaveLength(0);
  });

  it('refuses an unknown channel and a missing channel', async () => {
    const unknown = await dashboardLogin(mod.id, 'nosuchchannel');
    expect(unknown.statusCode).toBe(403);
    expect(unknown.body).toContain('nosuchchannel is not a channel');
    const missing = await app.inject({ method: 'GET', url: '/auth/twitch?as=moderator' });
    expect(missing.statusCode).toBe(400);
  });

  it('revokes the moderator token when the next sync no longer lists them', async () => {
    mock.moderators.set('500', []);
    await syncModerators(runtime.db.db, createHelix(wiring.twitch!), channelId, '500', new Date());
    const revoked = (await runtime.db.db.execute(sql`SELECT revoked_at FROM api_tokens WHERE label LIKE 'twitch:700 %'`)).rows as { revoked_at: Date | null }[];
    expect(revoked[0]?.revoked_at).not.toBeNull();
    const owner = (await runtime.db.db.execute(sql`SELECT revoked_at FROM api_tokens WHERE label LIKE 'twitch:500 %'`)).rows as { revoked_at: Date | null }[];
    expect(owner[0]?.revoked_at).toBeNull();

    // The API caches a token lookup for up to 5 s; a missing mission (404 while the token still
    // counts) shows when the revocation has reached it without spending a real mission.
    await expect.poll(async () => (await approve(99_999, modToken)).statusCode, { timeout: 8_000, interval: 250 }).toBe(401);
    const n = await pendingMission();
    const denied = await approve(n, modToken);
    expect(denied.statusCode).toBe(401);
  });

  it('never logs an issued token', () => {
    const log = logLines.join('\n');
    expect(log).toContain('dashboard token issued by Twitch login');
    expect(TOKEN.test(log)).toBe(false);
  });
});
