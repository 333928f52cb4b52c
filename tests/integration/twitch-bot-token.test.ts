import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTmiClient } from '../../bot/tmi-client.js';
import type { ChatClient } from '../../server/ports/chat-client.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';

let sim: ChatSimulator;
let client: ChatClient | undefined;

beforeAll(async () => {
  sim = await startChatSimulator({ validTokens: ['first-token'] });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

describe('the bot with a refreshing chat token', () => {
  it('asks for a fresh token on every reconnect, so a rotated token keeps the bot in chat', async () => {
    let current = 'first-token';
    const asked: string[] = [];
    client = createTmiClient({
      ircUrl: sim.url,
      username: 'missionbot',
      token: async () => {
        asked.push(current);
        return `oauth:${current}`;
      },
      logger: pino({ level: 'silent' }),
      reconnectIntervalMs: 50,
      maxReconnectIntervalMs: 100,
    });
    await client.connect();
    await client.join('streamer');
    await expect.poll(() => sim.joined('streamer', 'missionbot')).toBe(true);
    expect(asked).toEqual(['first-token']);

    // The provider refreshed the token: the old one no longer works, the new one does.
    current = 'second-token';
    sim.setValidTokens(['second-token']);
    sim.dropConnections();
    expect(sim.joined('streamer', 'missionbot')).toBe(false);

    await expect.poll(() => sim.joined('streamer', 'missionbot'), { timeout: 5_000 }).toBe(true);
    expect(asked).toEqual(['first-token', 'second-token']);
  });
});

describe('the bot after Twitch refuses its chat login', () => {
  const quiet = pino({ level: 'silent' });

  it('refreshes the token and logs in again, where tmi.js alone would stay out of chat', async () => {
    const refused = await startChatSimulator({ validTokens: ['fresh-token'] });
    const requests: boolean[] = [];
    let cached = 'stale-token';
    const bot = createTmiClient({
      ircUrl: refused.url,
      username: 'missionbot',
      // The cached token is the refused one; only a refresh (asked for with `rejected`) replaces it.
      token: async ({ rejected }) => {
        requests.push(rejected);
        if (rejected) cached = 'fresh-token';
        return `oauth:${cached}`;
      },
      logger: quiet,
      reconnectIntervalMs: 20,
      maxReconnectIntervalMs: 50,
    });
    try {
      await bot.connect().catch(() => undefined);
      await bot.join('refusedchan');
      await expect.poll(() => refused.joined('refusedchan', 'missionbot'), { timeout: 5_000 }).toBe(true);
      expect(requests).toEqual([false, true]);
      expect(bot.status?.()).toMatchObject({ state: 'connected', error: null });

      // A routine RECONNECT later still works: tmi.js's own reconnect flag was restored.
      refused.sendReconnect();
      await expect.poll(() => requests.length, { timeout: 5_000 }).toBe(3);
      await expect.poll(() => refused.joined('refusedchan', 'missionbot'), { timeout: 5_000 }).toBe(true);
      expect(requests[2]).toBe(false);
    } finally {
      await bot.close();
      await refused.close();
    }
  });

  it('keeps retrying with backoff while the login is refused, and says why in its status', async () => {
    const refused = await startChatSimulator({ validTokens: ['nobody-has-this'] });
    let attempts = 0;
    const bot = createTmiClient({
      ircUrl: refused.url,
      username: 'missionbot',
      token: async () => {
        attempts += 1;
        return 'oauth:revoked-token';
      },
      logger: quiet,
      reconnectIntervalMs: 20,
      maxReconnectIntervalMs: 40,
    });
    try {
      await bot.connect().catch(() => undefined);
      await bot.join('refusedchan');
      await expect.poll(() => attempts, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
      expect(bot.status?.()).toMatchObject({ state: 'login_failed', error: 'Login authentication failed' });
      expect(refused.joined('refusedchan')).toBe(false);

      // Twitch accepts the token again (a new login stored it): the next retry gets in.
      refused.setValidTokens(['revoked-token']);
      await expect.poll(() => refused.joined('refusedchan', 'missionbot'), { timeout: 5_000 }).toBe(true);
      expect(bot.status?.().state).toBe('connected');
    } finally {
      await bot.close();
      await refused.close();
    }
  });
});
