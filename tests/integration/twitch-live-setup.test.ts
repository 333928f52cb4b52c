/**
 * Twitch set-up taking effect in running processes, all-in-one and split, against the chat
 * simulator and the Helix mock: a bot login joins chat without a restart, a token Twitch
 * reports revoked closes chat and turns the `chat` readiness check red.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { startRoles, type RunningRoles } from '../../server/processes.js';
import { ROLE_SCOPES } from '../../server/twitch/scopes.js';
import { readTwitchSetup } from '../../server/twitch/setup-status.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startHelixMock, type HelixMock } from '../support/helix-mock.js';

const KEY = 'l'.repeat(40);
let sim: ChatSimulator;
let mock: HelixMock;
const databases: TestDatabase[] = [];
const running: RunningRoles[] = [];

beforeAll(async () => {
  sim = await startChatSimulator();
  mock = await startHelixMock();
  process.env.TWURPLE_MOCK_API_PORT = String(mock.port);
  mock.users.set('900', { id: '900', login: 'missionbot', displayName: 'MissionBot' });
  mock.users.set('501', { id: '501', login: 'livechan', displayName: 'LiveChan' });
});

afterAll(async () => {
  for (const r of running.reverse()) await r.stop().catch(() => undefined);
  for (const d of databases) await d.drop();
  await sim?.close();
  await mock?.close();
  delete process.env.TWURPLE_MOCK_API_PORT;
});

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function start(database: TestDatabase, roles: ('server' | 'worker' | 'bot')[], logger = pino({ level: 'silent' }), validateEveryMs = 100) {
  const config = loadConfig({
    DATABASE_URL: database.url,
    TWITCH_IRC_URL: sim.url,
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_CLIENT_SECRET: 's'.repeat(20),
    TOKEN_ENCRYPTION_KEY: KEY,
    TWITCH_CHANNELS: 'livechan',
    // The bot login is refused until the bot account is named.
    TWITCH_BOT_USERNAME: 'missionbot',
    ADMIN_TOKEN: 'live-setup-admin-token-0123456789',
    PORT: '0',
    LOG_LEVEL: 'silent',
  });
  const r = await startRoles(config, logger, roles, { twitch: { validateEveryMs } });
  running.push(r);
  return r;
}

/** Logs the bot in through the real OAuth callback of `server`, as the streamer would. */
async function logInBot(server: RunningRoles): Promise<void> {
  const begin = await fetch(`${server.url}/auth/twitch?as=bot`, { redirect: 'manual' });
  const state = new URL(begin.headers.get('location') ?? '').searchParams.get('state');
  const code = `code-${Math.random().toString(36).slice(2)}`;
  mock.codes.set(code, { userId: '900', scopes: [...ROLE_SCOPES.bot] });
  const done = await fetch(`${server.url}/auth/twitch/callback?code=${code}&state=${state}`);
  expect(await done.text()).toContain('missionbot is connected as the chat bot');
}

async function readyChecks(server: RunningRoles): Promise<Record<string, string>> {
  const res = await fetch(`${server.url}/readyz`);
  return ((await res.json()) as { checks: Record<string, string> }).checks;
}

describe('a bot login while the processes run', () => {
  it('all-in-one: the bot joins chat within seconds, no restart', async () => {
    const database = await createTestDatabase('live_setup_one');
    databases.push(database);
    const app = await start(database, ['server', 'bot']);
    expect(sim.joined('livechan', 'missionbot')).toBe(false);
    expect((await readyChecks(app)).chat).toBe('ok');
    await logInBot(app);
    await sim.waitForJoin('livechan', { login: 'missionbot', timeoutMs: 10_000 });
    const reply = sim.waitForBotMessage('livechan', '@early has', 8_000);
    sim.say('livechan', 'early', '!points');
    expect((await reply).text).toContain('@early has');

    // A channel added through the API reaches the bot as a Twitch set-up change over the bus.
    const changes: string[] = [];
    app.runtime.bus.subscribeTwitch((e) => changes.push(`${e.change} ${e.channel}`));
    const created = await fetch(`${app.url}/api/v1/channels`, {
      method: 'POST',
      headers: { authorization: 'Bearer live-setup-admin-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'laterchan' }),
    });
    expect(created.status).toBe(201);
    await sim.waitForJoin('laterchan', { login: 'missionbot', timeoutMs: 10_000 });
    expect(changes).toContain('channel laterchan');
    await app.stop();
    running.splice(running.indexOf(app), 1);
  });

  it('split roles: a login handled by the server reaches the bot process over the event bus', async () => {
    const database = await createTestDatabase('live_setup_split');
    databases.push(database);
    const server = await start(database, ['server']);
    const { logger, lines } = capture();
    const bot = await start(database, ['bot'], logger);
    await logInBot(server);
    await sim.waitForJoin('livechan', { login: 'missionbot', timeoutMs: 10_000 });

    // Twitch revokes the token (the streamer disconnected the app): the next validation finds
    // it, chat is closed, and the bot's readiness says why.
    mock.revoke('900');
    await expect.poll(() => sim.joined('livechan', 'missionbot'), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => readyChecks(server).then((c) => c.twitch), { timeout: 10_000 }).toBe('failed');
    const chatCheck = bot.runtime.readiness.find((c) => c.name === 'chat');
    await expect.poll(() => chatCheck?.check().then(() => 'ok', (e: Error) => e.message), { timeout: 10_000 }).toContain('no longer valid');
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes('no longer valid'))).toBe(true);
    // The server process, which holds no chat connection, can show it in the set-up checklist.
    await expect.poll(() => readTwitchSetup(server.runtime.db.db).then((s) => s.chat), { timeout: 10_000 }).toMatchObject({
      ok: false,
      detail: expect.stringContaining('no longer valid'),
    });
    expect((await readTwitchSetup(server.runtime.db.db)).tokens).toEqual([expect.objectContaining({ role: 'bot', login: 'missionbot', status: 'invalid' })]);

    // Logging the bot in again brings it back, still without a restart.
    await logInBot(server);
    await sim.waitForJoin('livechan', { login: 'missionbot', timeoutMs: 10_000 });
    await expect.poll(() => chatCheck?.check().then(() => 'ok', (e: Error) => e.message), { timeout: 10_000 }).toBe('ok');
  });

  it('a chat login Twitch refuses (the access token died early) is retried with a refreshed token', async () => {
    const database = await createTestDatabase('live_setup_refused');
    databases.push(database);
    // No periodic validation here: only the refused login may trigger the refresh.
    const app = await start(database, ['server', 'bot'], pino({ level: 'silent' }), 3_600_000);
    await logInBot(app);
    await sim.waitForJoin('livechan', { login: 'missionbot', timeoutMs: 10_000 });
    const refreshes = () => mock.requests.filter((r) => r.path === '/auth/token' && r.query.get('grant_type') === 'refresh_token').length;
    const before = refreshes();

    // Twitch checks the chat token against the grants it holds; the bot's access token dies
    // (its refresh token still works), then Twitch asks every client to reconnect.
    sim.setValidTokens((token) => mock.tokens.has(token));
    for (const [token, grant] of mock.tokens) if (grant.userId === '900') mock.tokens.delete(token);
    sim.sendReconnect();

    await expect.poll(refreshes, { timeout: 10_000 }).toBeGreaterThan(before);
    await expect.poll(() => sim.joined('livechan', 'missionbot'), { timeout: 10_000 }).toBe(true);
    const chatCheck = app.runtime.readiness.find((c) => c.name === 'chat');
    await expect.poll(() => chatCheck?.check().then(() => 'ok', (e: Error) => e.message), { timeout: 10_000 }).toBe('ok');
    sim.setValidTokens(null);
    await app.stop();
    running.splice(running.indexOf(app), 1);
  });
});
