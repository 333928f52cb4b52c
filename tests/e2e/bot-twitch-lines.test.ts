/**
 * Chat lines as Twitch really sends them, through the real tmi.js client and the chat
 * simulator: replies made with the Reply button, repeated lines padded by chat clients, Shared
 * Chat lines from a partner channel, and a streamer running the bot on their own account.
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
const databases: TestDatabase[] = [];
const runtimes: Runtime[] = [];
const bots: BotHandle[] = [];

/** A bot on a database of its own: two bots on one channel list would both answer. */
async function startWith(botLogin: string): Promise<Runtime> {
  const database = await createTestDatabase('bot_lines');
  databases.push(database);
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    TWITCH_IRC_URL: sim.url,
    TWITCH_BOT_USERNAME: botLogin,
    TWITCH_BOT_TOKEN: 'oauth:testtoken',
  });
  const runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('bot_lines'), poolMax: 10 });
  runtimes.push(runtime);
  bots.push(await startBot({ runtime, logger, userCooldownMs: 0, pledgeWindowMs: 100, channelPollMs: 100, reconnectIntervalMs: 50 }));
  return runtime;
}

beforeAll(async () => {
  sim = await startChatSimulator();
});

afterAll(async () => {
  for (const bot of bots) await bot.stop();
  for (const runtime of runtimes) await runtime.close();
  await sim?.close();
  for (const database of databases) await database.drop();
});

const balance = async (runtime: Runtime, channel: string, login: string) =>
  (await runtime.services.viewers.byLogin(await runtime.services.channels.get(channel), login).catch(() => null))?.balance ?? null;

describe('lines from real chat clients', () => {
  let runtime: Runtime;
  const ch = 'lineschan';

  beforeAll(async () => {
    runtime = await startWith('missionbot');
    sim.setMod(ch, 'missionbot', true);
    sim.setMod(ch, 'mod1', true);
    await runtime.services.channels.create({ login: ch, settings: { requireApproval: false } });
    await sim.waitForJoin(ch, { login: 'missionbot' });
  });

  it("takes a pledge made with Reply on the bot's announcement", async () => {
    const live = sim.waitForBotMessage(ch, 'is live', 8_000);
    sim.say(ch, 'mod1', '!mission Clear the level 100');
    const announcement = await live;
    const confirmed = sim.waitForBotMessage(ch, '@replier pledged 150', 8_000);
    sim.say(ch, 'replier', '!pledge 1 150', { replyTo: announcement.id });
    expect((await confirmed).text).toContain('pot 250');
    expect(await balance(runtime, ch, 'replier')).toBe(850);
  });

  it('answers a repeated command padded with U+034F or U+E0000', async () => {
    const first = sim.waitForBotMessage(ch, '@padder has', 8_000);
    sim.say(ch, 'padder', '!points \u034F');
    expect((await first).text).toBe('@padder has 1,000 pts');
    const second = sim.waitForBotMessage(ch, '#1', 8_000);
    sim.say(ch, 'padder', '!mission 1 \u{E0000}');
    expect((await second).text).toMatch(/^#1 /);
  });

  it("ignores a Shared Chat partner's viewers: no reply, no wallet, no pledge", async () => {
    sim.say(ch, 'guest', '!pledge 1 100', { sharedFrom: 'partnerchan' });
    sim.say(ch, 'guest', '!points', { sharedFrom: 'partnerchan' });
    // A line of this channel sent after them is answered; the shared ones before it were not.
    const marker = sim.waitForBotMessage(ch, '@local has', 8_000);
    sim.say(ch, 'local', '!points');
    await marker;
    await bots[0]!.idle();
    expect(sim.botMessages(ch).some((m) => m.text.includes('guest'))).toBe(false);
    expect(await balance(runtime, ch, 'guest')).toBeNull();
  });
});

describe("the streamer's own account as the bot", () => {
  it('judges from chat typed by the streamer on another connection of the same account', async () => {
    const runtime = await startWith('selfstreamer');
    const ch = 'selfstreamer';
    sim.setBroadcaster(ch, 'selfstreamer');
    await runtime.services.channels.create({ login: ch, settings: { requireApproval: false } });
    await sim.waitForJoin(ch, { login: 'selfstreamer' });
    const live = sim.waitForBotMessage(ch, '#1 ', 8_000);
    sim.say(ch, 'fan', '!mission No deaths 100');
    await live;
    const verdict = sim.waitForBotMessage(ch, 'SUCCESS', 8_000);
    sim.say(ch, 'selfstreamer', '!mission success 1');
    expect((await verdict).text).toContain('#1 SUCCESS');
  });
});
