/**
 * Token health against the Helix mock taught Twitch's answers: a 5xx on refresh is transient,
 * 400 "Invalid refresh token" is final, and `/validate` answers 401 for a revoked token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../server/config.js';
import { createTwitchIntegration, type TokenChange, type TwitchIntegration } from '../../server/twitch/integration.js';
import { validateAccessToken } from '../../server/twitch/token-health.js';
import { createTokenStore } from '../../server/twitch/token-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';

const KEY = 'h'.repeat(40);
const BOT_SCOPES = ['chat:read', 'chat:edit', 'moderator:read:chatters'];
let db: TestDatabase;
let mock: HelixMock;
const integrations: TwitchIntegration[] = [];

beforeAll(async () => {
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  db = await createTestDatabase('twitch_token_health');
  mock.users.set('900', { id: '900', login: 'missionbot', displayName: 'MissionBot' });
});

afterAll(async () => {
  await db?.drop();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

/** Stores a bot token (expired when `expired`, so the first use refreshes it) and loads it in a fresh integration. */
async function loadBot(expired: boolean): Promise<{ twitch: TwitchIntegration; changes: TokenChange[]; accessToken: string }> {
  const { accessToken, refreshToken } = mock.issue('900', BOT_SCOPES);
  await createTokenStore(db.db, KEY).save({
    userId: '900', role: 'bot', login: 'missionbot',
    token: { accessToken, refreshToken, scope: BOT_SCOPES, expiresIn: 3600, obtainmentTimestamp: expired ? 0 : Date.now() },
  });
  const config = loadConfig({ DATABASE_URL: db.url, TWITCH_CLIENT_ID: 'cid', TWITCH_CLIENT_SECRET: 's'.repeat(20), TOKEN_ENCRYPTION_KEY: KEY });
  const twitch = createTwitchIntegration({ config, db: db.db, logger: pino({ level: 'silent' }), refreshRetry: { baseMs: 20, maxMs: 40 } })!;
  integrations.push(twitch);
  const changes: TokenChange[] = [];
  twitch.onTokenChange((c) => changes.push(c));
  await twitch.start();
  return { twitch, changes, accessToken };
}

const botStatus = async () => (await createTokenStore(db.db, KEY).summaries()).find((s) => s.userId === '900' && s.role === 'bot')?.status;

describe('refreshing a token', () => {
  it('keeps the account logged in through a 503 on refresh, and succeeds on the retry', async () => {
    const { twitch, changes } = await loadBot(true);
    mock.refreshFailures = [503];
    await expect(twitch.botChatCredentials()).rejects.toThrow();
    expect(await botStatus()).toBe('valid');
    expect(changes).toEqual([]);
    // twurple caches the failure; the retry clears it once the backoff has passed.
    await expect.poll(() => twitch.botChatCredentials().catch(() => null), { timeout: 5_000 }).toBeTruthy();
    const fresh = await twitch.botChatCredentials();
    expect(fresh?.username).toBe('missionbot');
    expect(mock.tokens.has(fresh!.token.replace(/^oauth:/, ''))).toBe(true);
    expect(await botStatus()).toBe('valid');
  });

  it("marks the token invalid only on Twitch's 400 Invalid refresh token, and tells the roles", async () => {
    const { twitch, changes } = await loadBot(true);
    mock.revoke('900');
    await expect(twitch.botChatCredentials()).rejects.toThrow();
    await expect.poll(botStatus).toBe('invalid');
    expect(changes).toEqual([{ userId: '900', role: 'bot', status: 'invalid' }]);
    expect(twitch.botUserId()).toBeNull();
  });
});

describe('two processes sharing a stored token', () => {
  it('keeps the login when another process refreshed (and rotated) the token first', async () => {
    // Both load the same expired token; Twitch rotates the refresh token on use.
    const first = await loadBot(true);
    const config = loadConfig({ DATABASE_URL: db.url, TWITCH_CLIENT_ID: 'cid', TWITCH_CLIENT_SECRET: 's'.repeat(20), TOKEN_ENCRYPTION_KEY: KEY });
    const second = createTwitchIntegration({ config, db: db.db, logger: pino({ level: 'silent' }) })!;
    integrations.push(second);
    await second.start();
    const refreshedFirst = await first.twitch.botChatCredentials();
    await expect.poll(async () => (await createTokenStore(db.db, KEY).loadAll()).find((t) => t.userId === '900')?.token.accessToken).toBe(
      refreshedFirst?.token.replace(/^oauth:/, ''),
    );
    await expect(second.botChatCredentials()).rejects.toThrow();
    expect(await botStatus()).toBe('valid');
    // The second process took the stored, rotated token instead of logging the bot out.
    await expect.poll(() => second.botChatCredentials().catch(() => null)).toEqual(refreshedFirst);
  });
});

describe('validating tokens', () => {
  it('finds a token revoked on Twitch, marks it invalid and ends its use', async () => {
    const { twitch, changes } = await loadBot(false);
    expect(await twitch.validate()).toEqual([{ userId: '900', roles: ['bot'], status: 'valid' }]);
    mock.revoke('900');
    expect(await twitch.validate()).toEqual([{ userId: '900', roles: ['bot'], status: 'invalid' }]);
    expect(await botStatus()).toBe('invalid');
    expect(changes).toEqual([{ userId: '900', role: 'bot', status: 'invalid' }]);
    expect(await twitch.botChatCredentials()).toBeNull();
  });

  it('treats a token whose access token died but whose refresh works as valid (it is refreshed)', async () => {
    const { twitch, accessToken } = await loadBot(false);
    mock.tokens.delete(accessToken);
    expect(await twitch.validate()).toEqual([{ userId: '900', roles: ['bot'], status: 'valid' }]);
    expect(await botStatus()).toBe('valid');
  });

  it('validates a static chat token: valid, or invalid on 401, and unknown when Twitch cannot be reached', async () => {
    const { accessToken } = mock.issue('900', BOT_SCOPES);
    expect(await validateAccessToken(`oauth:${accessToken}`)).toMatchObject({ status: 'valid', login: 'missionbot', userId: '900' });
    expect(await validateAccessToken('oauth:not-a-token')).toEqual({ status: 'invalid' });
    const port = process.env.TWURPLE_MOCK_API_PORT;
    process.env.TWURPLE_MOCK_API_PORT = '1';
    try {
      expect((await validateAccessToken(`oauth:${accessToken}`)).status).toBe('unknown');
    } finally {
      process.env.TWURPLE_MOCK_API_PORT = port;
    }
  });
});
