import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../server/config.js';
import { buildApp } from '../../server/http/app.js';
import { authRoutes } from '../../server/http/routes/auth.js';
import { createTwitchIntegration, type TwitchIntegration } from '../../server/twitch/integration.js';
import { createTokenStore } from '../../server/twitch/token-store.js';
import { createLoginPolicy, loginStartRefusal } from '../../server/twitch/login-policy.js';
import { startBot } from '../../bot/index.js';
import type { Runtime } from '../../server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';

const KEY = 'k'.repeat(40);
let db: TestDatabase;
let mock: HelixMock;
let app: FastifyInstance;
let twitch: TwitchIntegration;
const logLines: string[] = [];

function config() {
  return loadConfig({
    DATABASE_URL: db.url,
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_CLIENT_SECRET: 'client-secret-value',
    TOKEN_ENCRYPTION_KEY: KEY,
    PUBLIC_URL: 'http://localhost:3000',
  });
}

beforeAll(async () => {
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  db = await createTestDatabase('twitch_auth');
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  twitch = createTwitchIntegration({ config: config(), db: db.db, logger })!;
  await twitch.start();
  app = await buildApp({
    config: config(),
    db,
    logger,
    readiness: [twitch.readiness],
    routes: [],
    plugins: [authRoutes({ twitch, publicUrl: 'http://localhost:3000', now: () => new Date() })],
  });
  mock.users.set('900', { id: '900', login: 'missionbot', displayName: 'MissionBot' });
  mock.users.set('901', { id: '901', login: 'streamer', displayName: 'Streamer' });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

async function startLogin(role: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url: `/auth/twitch?as=${role}` });
  expect(res.statusCode).toBe(302);
  const location = new URL(res.headers.location as string);
  expect(location.searchParams.get('redirect_uri')).toBe('http://localhost:3000/auth/twitch/callback');
  return location.searchParams.get('state')!;
}

describe('Twitch login flow', () => {
  it('redirects with the scopes of each role and a fresh state', async () => {
    const res = await app.inject({ method: 'GET', url: '/auth/twitch?as=bot' });
    const url = new URL(res.headers.location as string);
    expect(url.pathname).toBe('/auth/authorize');
    expect(url.searchParams.get('scope')?.split(' ')).toEqual(['chat:read', 'chat:edit', 'moderator:read:chatters']);
    const other = await app.inject({ method: 'GET', url: '/auth/twitch?as=broadcaster' });
    const scopes = new URL(other.headers.location as string).searchParams.get('scope');
    expect(scopes).toBe('moderation:read channel:read:redemptions channel:manage:redemptions');
    expect(url.searchParams.get('state')).not.toBe(new URL(other.headers.location as string).searchParams.get('state'));
  });

  it('stores the token encrypted after a good callback, and the state works once', async () => {
    const state = await startLogin('bot');
    mock.codes.set('good-code', { userId: '900', scopes: ['chat:read', 'chat:edit', 'moderator:read:chatters'] });
    const res = await app.inject({ method: 'GET', url: `/auth/twitch/callback?code=good-code&state=${state}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('missionbot is connected as the chat bot');

    const rows = (await db.db.execute(sql`SELECT user_id, role, login, token_enc FROM twitch_tokens`)).rows as { token_enc: string; role: string; login: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'bot', login: 'missionbot' });
    const issued = [...mock.tokens.entries()].find(([, t]) => t.userId === '900')![0];
    expect(rows[0]!.token_enc).not.toContain(issued);
    const loaded = await createTokenStore(db.db, KEY).loadAll();
    expect(loaded[0]!.token.accessToken).toBe(issued);
    expect(twitch.botUserId()).toBe('900');

    mock.codes.set('again', { userId: '900', scopes: ['chat:read', 'chat:edit', 'moderator:read:chatters'] });
    const replay = await app.inject({ method: 'GET', url: `/auth/twitch/callback?code=again&state=${state}` });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('Login link expired');
  });

  it('refuses an unknown state without calling Twitch', async () => {
    const before = mock.requests.length;
    const res = await app.inject({ method: 'GET', url: '/auth/twitch/callback?code=x&state=forged' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('unknown, already used or expired');
    expect(mock.requests.length).toBe(before);
  });

  it('explains a denied login and stores nothing', async () => {
    const state = await startLogin('broadcaster');
    const res = await app.inject({
      method: 'GET',
      url: `/auth/twitch/callback?error=access_denied&error_description=The+user+denied&state=${state}`,
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Login cancelled');
    const count = (await db.db.execute(sql`SELECT count(*)::int AS n FROM twitch_tokens WHERE role = 'broadcaster'`)).rows[0] as { n: number };
    expect(count.n).toBe(0);
  });

  it('refuses a token without the role scopes', async () => {
    const state = await startLogin('broadcaster');
    mock.codes.set('thin', { userId: '901', scopes: ['moderation:read'] });
    const res = await app.inject({ method: 'GET', url: `/auth/twitch/callback?code=thin&state=${state}` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('channel:read:redemptions');
  });
});

describe('stored tokens', () => {
  it('writes a refreshed token back, encrypted', async () => {
    const store = createTokenStore(db.db, KEY);
    const { accessToken, refreshToken } = mock.issue('901', ['moderation:read', 'channel:read:redemptions', 'channel:manage:redemptions']);
    // Obtained long ago: expired, so the first use refreshes it.
    await store.save({
      userId: '901', role: 'broadcaster', login: 'streamer',
      token: { accessToken, refreshToken, scope: ['moderation:read', 'channel:read:redemptions', 'channel:manage:redemptions'], expiresIn: 3600, obtainmentTimestamp: 0 },
    });
    const fresh = createTwitchIntegration({ config: config(), db: db.db, logger: pino({ level: 'debug' }, { write: (l: string) => void logLines.push(l) }) })!;
    await fresh.start();
    const refreshed = new Promise<void>((resolve) => fresh.provider.onRefresh(() => setImmediate(resolve)));
    const token = await fresh.provider.getAccessTokenForUser('901');
    expect(token?.accessToken).not.toBe(accessToken);
    await refreshed;
    await expect.poll(async () => (await store.loadAll()).find((t) => t.userId === '901')?.token.accessToken).toBe(token?.accessToken);
  });

  it('marks the token invalid when a refresh fails, reports it in /readyz, and logs no secret', async () => {
    const store = createTokenStore(db.db, KEY);
    const stored = (await store.loadAll()).find((t) => t.userId === '901')!;
    mock.refreshTokens.delete(stored.token.refreshToken!);
    const fresh = createTwitchIntegration({ config: config(), db: db.db, logger: pino({ level: 'debug' }, { write: (l: string) => void logLines.push(l) }) })!;
    await fresh.start();
    await fresh.provider.refreshAccessTokenForUser('901').catch(() => undefined);
    await expect.poll(async () => (await store.summaries()).find((s) => s.userId === '901')?.status).toBe('invalid');

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.twitch).toBe('failed');

    const log = logLines.join('\n');
    expect(log).toContain('Twitch token refresh failed');
    expect(log).toContain('refresh_token=[redacted]');
    for (const secret of [...mock.tokens.keys(), stored.token.refreshToken!, 'client-secret-value']) expect(log).not.toContain(secret);
  });

  it('names the missing key when tokens exist but TOKEN_ENCRYPTION_KEY is unset', async () => {
    await expect(createTokenStore(db.db, undefined).loadAll()).rejects.toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
    await expect(createTokenStore(db.db, 'x'.repeat(32)).loadAll()).rejects.toThrow(/TOKEN_ENCRYPTION_KEY differs/);
  });
});

describe('the bot login while no bot account is named', () => {
  it('is refused before and after Twitch, stores nothing, and a stored token is not used by the bot', async () => {
    const policyDeps = { botUsername: undefined, channels: async () => [] };
    const guarded = await buildApp({
      config: config(),
      db,
      readiness: [],
      routes: [],
      plugins: [
        authRoutes({
          twitch,
          publicUrl: 'http://localhost:3000',
          now: () => new Date(),
          allow: createLoginPolicy(policyDeps),
          startRefusal: (role) => loginStartRefusal(role, policyDeps.botUsername),
        }),
      ],
    });
    try {
      const start = await guarded.inject({ method: 'GET', url: '/auth/twitch?as=bot' });
      expect(start.statusCode).toBe(403);
      expect(start.body).toContain('TWITCH_BOT_USERNAME');

      // A state from before (or another instance): the callback refuses the account too.
      mock.users.set('666', { id: '666', login: 'evil', displayName: 'Evil' });
      mock.codes.set('evil-code', { userId: '666', scopes: ['chat:read', 'chat:edit', 'moderator:read:chatters'] });
      const state = await twitch.store.createState('bot', new Date());
      const callback = await guarded.inject({ method: 'GET', url: `/auth/twitch/callback?code=evil-code&state=${state}` });
      expect(callback.statusCode).toBe(403);
      expect(callback.body).not.toContain('connected as the chat bot');
      const stored = (await db.db.execute(sql`SELECT count(*)::int AS n FROM twitch_tokens WHERE login = 'evil'`)).rows[0] as { n: number };
      expect(stored.n).toBe(0);
    } finally {
      await guarded.close();
    }

    // A token stored earlier for some account is not picked up while no bot account is named.
    const runtime = {
      config: loadConfig({}),
      services: { channels: { list: async () => [] } },
      bus: { subscribe: () => () => undefined },
    } as unknown as Runtime;
    const bot = await startBot({
      runtime,
      logger: pino({ level: 'silent' }),
      storedCredentials: async () => ({ username: 'evil', token: 'oauth:stolen' }),
    });
    try {
      // It waits for a named bot account instead of opening chat as whoever logged in.
      expect(bot.status().state).toBe('not_configured');
    } finally {
      await bot.stop();
    }
  });
});
