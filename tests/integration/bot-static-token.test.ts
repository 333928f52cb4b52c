/**
 * A static TWITCH_BOT_TOKEN: validated at start and on the hourly schedule (shortened here);
 * Twitch calling it invalid closes chat with the reason, and a stored bot login takes over.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotHandle } from '../../bot/index.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { uniqueName } from '../support/services.js';

const logger = pino({ level: 'silent' });
let sim: ChatSimulator;
let database: TestDatabase;
let runtime: Runtime;
const bots: BotHandle[] = [];

beforeAll(async () => {
  sim = await startChatSimulator();
  database = await createTestDatabase('bot_static_token');
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    TWITCH_IRC_URL: sim.url,
    TWITCH_BOT_USERNAME: 'staticbot',
    TWITCH_BOT_TOKEN: 'oauth:statictoken',
    TWITCH_CHANNELS: 'staticchan',
  });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('bot_static'), poolMax: 5 });
});

afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await runtime?.close();
  await sim?.close();
  await database?.drop();
});

describe('a static bot token', () => {
  it('does not connect with a token Twitch already calls invalid at start', async () => {
    const checked: string[] = [];
    const bot = await startBot({ runtime, logger, validateToken: async (token) => (checked.push(token), 'invalid') });
    bots.push(bot);
    expect(checked).toEqual(['oauth:statictoken']);
    expect(bot.status()).toMatchObject({ state: 'token_invalid', error: expect.stringContaining('TWITCH_BOT_TOKEN is no longer valid') });
    expect(sim.joined('staticchan', 'staticbot')).toBe(false);
    await bot.stop();
  });

  it('leaves chat when a later validation finds it revoked, and a stored login of the bot takes over', async () => {
    let verdict: 'valid' | 'invalid' | 'unknown' = 'unknown';
    const lines: { level: number; msg: string }[] = [];
    const capturing = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const bot = await startBot({
      runtime,
      logger: capturing,
      validateToken: async () => verdict,
      validateEveryMs: 50,
      reconnectIntervalMs: 20,
      storedCredentials: async () => ({ username: 'staticbot', token: 'oauth:storedtoken' }),
    });
    bots.push(bot);
    await sim.waitForJoin('staticchan', { login: 'staticbot' });
    // From now on Twitch accepts only the stored token. Twitch unreachable ('unknown') ends
    // nothing; a 401 ('invalid') closes the static connection.
    sim.setValidTokens(['storedtoken']);
    verdict = 'invalid';
    await expect.poll(() => lines.some((l) => l.level === 50 && l.msg.includes('TWITCH_BOT_TOKEN is no longer valid')), { timeout: 5_000 }).toBe(true);
    // Whatever connection is open now logs in again only if it holds the stored token.
    sim.dropConnections();
    await sim.waitForJoin('staticchan', { login: 'staticbot', timeoutMs: 5_000 });
    await expect.poll(() => bot.status().state).toBe('connected');
    sim.setValidTokens(null);
  });
});
