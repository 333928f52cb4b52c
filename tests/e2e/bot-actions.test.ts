/**
 * A viewer's actions are never lost to the per-user cooldown: the real tmi.js bot with its
 * default cooldown against the chat simulator, on a fresh database. Reads (`!points`) may be
 * thinned; pledges and proposals typed in quick succession all take effect.
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
  const login = `ba${process.pid}x${++seq}`;
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

const mission = async (channel: string, n: number) => runtime.services.missions.get(await runtime.services.channels.get(channel), n);
const pledgesOf = async (channel: string, n: number, login: string) => {
  const page = await runtime.services.missions.pledges(await runtime.services.channels.get(channel), n, { limit: 50 });
  return page.items.filter((p) => p.viewer.login === login).map((p) => p.amount);
};

async function expectAuditOk(login: string): Promise<void> {
  const channel = await runtime.services.channels.get(login);
  expect((await auditChannel(runtime.db.db, channel.id)).violations).toEqual([]);
}

beforeAll(async () => {
  sim = await startChatSimulator();
  database = await createTestDatabase('bot_actions');
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', TWITCH_IRC_URL: sim.url, TWITCH_BOT_USERNAME: BOT, TWITCH_BOT_TOKEN: 'oauth:testtoken' });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('bot_actions'), poolMax: 10 });
  // The production cooldown (2 s per viewer), not the 0 the other chat tests use.
  bot = await startBot({ runtime, logger, pledgeWindowMs: 300, channelPollMs: 100, reconnectIntervalMs: 50 });
});

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await sim?.close();
  await database?.drop();
});

describe('the per-user cooldown', () => {
  it('lets a refused pledge be followed at once by one that lands after approval', async () => {
    const ch = await newChannel({ requireApproval: true });
    sim.setMod(ch, 'bob', true);
    await exchange(ch, 'alice', '!mission Beat the boss without dying 100', 'proposed');
    expect(await exchange(ch, 'carol', '!pledge 1 50', '@carol')).toMatch(/isn't taking pledges/);
    await exchange(ch, 'bob', '!mission approve 1', 'is live');
    // Well inside carol's 2 s cooldown from her first pledge.
    expect(await exchange(ch, 'carol', '!pledge 1 250', '@carol pledged')).toBe('@carol pledged 250 to #1, pot 350 pts');
    expect(await pledgesOf(ch, 1, 'carol')).toEqual([250]);
    await expectAuditOk(ch);
  });

  it('runs two pledges to two missions typed back to back, and thins repeated reads only', async () => {
    const ch = await newChannel({ requireApproval: false, maxOpenMissionsPerViewer: 2, createCooldown: 0 });
    await exchange(ch, 'alice', '!mission First challenge 100', '#1');
    await exchange(ch, 'erin', '!mission Second challenge 100', '#2');
    const both = Promise.all([sim.waitForBotMessage(ch, /#1/, 8_000), sim.waitForBotMessage(ch, /#2/, 8_000)]);
    sim.say(ch, 'dave', '!pledge 1 100');
    sim.say(ch, 'dave', '!pledge 2 200');
    await both;
    await bot.idle();
    expect(await pledgesOf(ch, 1, 'dave')).toEqual([100]);
    expect(await pledgesOf(ch, 2, 'dave')).toEqual([200]);
    expect((await mission(ch, 2)).pot).toBe(300);

    // Two balance reads in a row: one answer (reads may be thinned), and no effect either way.
    const answered = sim.waitForBotMessage(ch, /frank/, 8_000);
    sim.say(ch, 'frank', '!points');
    sim.say(ch, 'frank', '!points');
    await answered;
    await bot.idle();
    expect(sim.botMessages(ch).filter((m) => m.text.includes('frank'))).toHaveLength(1);
    await expectAuditOk(ch);
  });
});
