/** The bot role as `npm start` / `npm run start:bot` wire it (server/processes.ts). */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { startRoles } from '../../server/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let sim: ChatSimulator;
let database: TestDatabase;

function capturingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

beforeAll(async () => {
  sim = await startChatSimulator();
  database = await createTestDatabase('bot_roles');
});

afterAll(async () => {
  await sim?.close();
  await database?.drop();
});

describe('the bot role', () => {
  it('does not start without bot credentials, says why, and the process keeps running', async () => {
    const { logger, lines } = capturingLogger();
    const config = loadConfig({ DATABASE_URL: database.url, TWITCH_IRC_URL: sim.url, TWITCH_CHANNELS: 'nocreds' });
    const running = await startRoles(config, logger, ['bot']);
    try {
      expect(lines.some((l) => l.level === 40 && String(l.msg).includes('TWITCH_BOT_USERNAME'))).toBe(true);
      expect(sim.connectionCount()).toBe(0);
      await expect(running.runtime.services.channels.get('nocreds')).resolves.toMatchObject({ login: 'nocreds' });
    } finally {
      await running.stop();
    }
  });

  it('joins the configured channels, answers commands, and hangs up on stop', async () => {
    const { logger } = capturingLogger();
    const config = loadConfig({
      DATABASE_URL: database.url,
      TWITCH_IRC_URL: sim.url,
      TWITCH_BOT_USERNAME: 'rolebot',
      TWITCH_BOT_TOKEN: 'oauth:roletoken',
      TWITCH_CHANNELS: 'rolechan',
      LOG_LEVEL: 'silent',
    });
    const running = await startRoles(config, logger, ['bot']);
    try {
      await sim.waitForJoin('rolechan', { login: 'rolebot' });
      const reply = sim.waitForBotMessage('rolechan', '@alice has', 8_000);
      sim.say('rolechan', 'alice', '!points');
      expect((await reply).text).toBe('@alice has 1,000 pts');
    } finally {
      await running.stop();
    }
    // The simulator notices the closed socket on its own event-loop turn.
    for (let i = 0; i < 40 && sim.joined('rolechan', 'rolebot'); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.joined('rolechan', 'rolebot')).toBe(false);
  });
});
