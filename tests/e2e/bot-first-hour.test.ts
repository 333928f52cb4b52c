/**
 * Chat dead ends a new streamer met in their first hour, end to end (the real tmi.js client
 * against the chat simulator, real services on a fresh Postgres): pending missions in
 * `!missions`, the streamer's earnings in `!points`, gifts to a viewer who has not chatted yet,
 * and `extend` adding time.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotHandle } from '../../bot/index.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import type { ChannelSettings } from '../../server/domain/settings.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { uniqueName } from '../support/services.js';

const BOT = 'missionbot';
const logger = pino({ level: 'silent' });

let sim: ChatSimulator;
let database: TestDatabase;
let runtime: Runtime;
let bot: BotHandle;
let seq = 0;

async function newChannel(settings: Partial<ChannelSettings> = {}): Promise<string> {
  const login = `fh${process.pid}x${++seq}`;
  sim.setMod(login, BOT, true);
  await runtime.services.channels.create({ login, settings });
  await sim.waitForJoin(login, { login: BOT });
  return login;
}

async function exchange(channel: string, login: string, text: string, reply: RegExp | string): Promise<string> {
  const answer = sim.waitForBotMessage(channel, reply, 8_000);
  sim.say(channel, login, text);
  return (await answer).text;
}

async function expectAuditOk(login: string): Promise<void> {
  const channel = await runtime.services.channels.get(login);
  expect((await auditChannel(runtime.db.db, channel.id)).violations).toEqual([]);
}

beforeAll(async () => {
  sim = await startChatSimulator();
  database = await createTestDatabase('bot_first_hour');
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    TWITCH_IRC_URL: sim.url,
    TWITCH_BOT_USERNAME: BOT,
    TWITCH_BOT_TOKEN: 'oauth:testtoken',
  });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('bot_first_hour'), poolMax: 10 });
  bot = await startBot({ runtime, logger, userCooldownMs: 0, pledgeWindowMs: 300, channelPollMs: 100, reconnectIntervalMs: 50 });
});

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await sim?.close();
  await database?.drop();
});

describe('the first hour in chat', () => {
  it('lists pending missions in !missions, marked as awaiting approval', async () => {
    const ch = await newChannel({ requireApproval: true });
    sim.setMod(ch, 'mod', true);
    await exchange(ch, 'alice', '!mission No deaths 200', 'proposed');
    await exchange(ch, 'bob', '!mission Speedrun 100', 'proposed');
    await exchange(ch, 'mod', '!mission approve 2', '#2 is live');
    expect(await exchange(ch, 'carol', '!missions', 'Missions')).toMatch(/^Missions: #2 Speedrun \(100 pts, 30m\) · #1 No deaths \(200 pts, awaiting approval\)$/);
  });

  it("shows the broadcaster the channel's earnings (the treasury) in !points", async () => {
    const ch = await newChannel({ requireApproval: false });
    await exchange(ch, 'alice', '!mission Beat the boss 850', 'is live');
    await exchange(ch, ch, '!mission success 1', 'SUCCESS');
    expect(await exchange(ch, ch, '!points', `@${ch} has`)).toBe(`@${ch} has 1,000 pts; the channel has earned 850 pts from missions`);
    expect(await exchange(ch, 'alice', '!points', '@alice has')).toBe('@alice has 150 pts');
    await expectAuditOk(ch);
  });

  it('gives points to a viewer who has not chatted: through Twitch when configured, otherwise says to chat once', async () => {
    const ch = await newChannel();
    expect(await exchange(ch, ch, '!points give @hank 5k', 'hank')).toBe(`@${ch} @hank has no pts here yet: they need to chat here once first`);

    // Twitch's edge: Helix Get Users knows hank by login.
    runtime.services.twitchUsers = {
      byLogin: async (login) => (login === 'hank' ? { userId: '777001', login: 'hank', displayName: 'Hank' } : null),
    };
    try {
      expect(await exchange(ch, ch, '!points give @hank 5k', 'hank')).toMatch(/hank.*5,000/);
      const hank = await runtime.services.viewers.byUserId(await runtime.services.channels.get(ch), '777001');
      expect(hank?.balance).toBe(1_000 + 5_000);
      // Someone Twitch does not know still gets the plain answer, and nothing changes.
      expect(await exchange(ch, ch, '!points give @nobody_here 10', 'nobody_here')).toContain('need to chat here once first');
    } finally {
      runtime.services.twitchUsers = undefined;
    }
    await expectAuditOk(ch);
  });

  it('extend adds the given time to the deadline', async () => {
    const ch = await newChannel({ requireApproval: false });
    await exchange(ch, 'alice', '!mission Long one 50 10m', 'is live');
    const before = await runtime.services.missions.get(await runtime.services.channels.get(ch), 1);
    await exchange(ch, ch, '!mission extend 1 20m', 'extended');
    const after = await runtime.services.missions.get(await runtime.services.channels.get(ch), 1);
    expect(Date.parse(after.deadline!) - Date.parse(before.deadline!)).toBe(20 * 60_000);
  });
});
