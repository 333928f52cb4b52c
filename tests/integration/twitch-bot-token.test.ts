import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createTmiClient } from '../../bot/tmi-client.js';
import type { ChatClient } from '../../bot/chat-client.js';
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
