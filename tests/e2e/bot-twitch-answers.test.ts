/**
 * What Twitch answers the bot's lines, through the real tmi.js client against the chat
 * simulator: a verdict is never lost to a reconnect or a timeout, slow mode paces the bot, and a
 * channel where the bot may not speak is reported while its lines wait.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
const admin = { kind: 'admin' } as const;

let sim: ChatSimulator;
let database: TestDatabase;
let runtime: Runtime;
let bot: BotHandle;
let seq = 0;

async function newChannel(settings: Partial<ChannelSettings> = {}, mod = true): Promise<string> {
  const login = `bt${process.pid}x${++seq}`;
  sim.setMod(login, BOT, mod);
  await runtime.services.channels.create({ login, settings });
  await sim.waitForJoin(login, { login: BOT });
  return login;
}

async function exchange(channel: string, login: string, text: string, reply: RegExp | string): Promise<string> {
  const answer = sim.waitForBotMessage(channel, reply, 8_000);
  sim.say(channel, login, text);
  return (await answer).text;
}

/** A live mission #1 with one backer, opened from chat. */
async function liveMission(channel: string): Promise<void> {
  await exchange(channel, 'alice', '!mission Clutch the last round 100', 'is live');
  await exchange(channel, 'carol', '!pledge 1 200', 'carol');
}

const shown = (channel: string, text: string) => sim.botMessages(channel).filter((m) => m.text.includes(text) && !m.dropped);

beforeAll(async () => {
  sim = await startChatSimulator({ enforceLimits: true });
  database = await createTestDatabase('bot_twitch_answers');
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', TWITCH_IRC_URL: sim.url, TWITCH_BOT_USERNAME: BOT, TWITCH_BOT_TOKEN: 'oauth:testtoken' });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('bot_twitch_answers'), poolMax: 10 });
  bot = await startBot({ runtime, logger, userCooldownMs: 0, pledgeWindowMs: 300, channelPollMs: 100, reconnectIntervalMs: 50 });
});

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await sim?.close();
  await database?.drop();
});

describe('the bot and what Twitch answers', () => {
  it('announces a verdict made while chat was disconnected once it is back, instead of dropping it', async () => {
    const ch = await newChannel({ requireApproval: false });
    await liveMission(ch);
    sim.setAcceptConnections(false);
    const retrying = sim.waitForRefusedConnection(8_000);
    sim.dropConnections();
    // tmi.js tries to reconnect only once it has seen the connection go.
    await retrying;
    const channel = await runtime.services.channels.get(ch);
    await runtime.services.verdicts.act(channel, 1, 'success', admin);
    const verdict = sim.waitForBotMessage(ch, 'SUCCESS', 15_000);
    sim.setAcceptConnections(true);
    expect((await verdict).text).toBe('#1 SUCCESS! 300 pts go to the streamer');
    expect(shown(ch, 'SUCCESS')).toHaveLength(1);
    expect((await auditChannel(runtime.db.db, channel.id)).violations).toEqual([]);
  });

  it('holds its lines while timed out, says so, and sends the verdict once Twitch shows its lines again', async () => {
    const ch = await newChannel({ requireApproval: false });
    await liveMission(ch);
    sim.setRestriction(ch, BOT, { msgId: 'msg_timedout', text: 'You are timed out for 1 more seconds.' });
    const refused = sim.waitForBotMessage(ch, (m) => m.text.includes('failed') && m.dropped, 8_000);
    const channel = await runtime.services.channels.get(ch);
    await runtime.services.verdicts.act(channel, 1, 'fail', admin);
    await refused;
    await vi.waitFor(() => expect(bot.mutedChannels()).toEqual([{ channel: ch, reason: 'msg_timedout' }]));
    sim.setRestriction(ch, BOT, null);
    // The timeout was 1 s: the held verdict is tried again after it, and this time shown.
    const resent = sim.waitForBotMessage(ch, (m) => m.text.includes('failed') && !m.dropped, 10_000);
    expect((await resent).text).toMatch(/^#1 failed — 2 backers refunded 300 pts/);
    await vi.waitFor(() => expect(bot.mutedChannels()).toEqual([]));
  });

  it('keeps to ROOMSTATE slow mode where it is not a moderator, and never trips the rate limit', async () => {
    const ch = await newChannel({ requireApproval: false }, false);
    sim.setRoomMode(ch, { slow: 2 });
    const both = Promise.all([sim.waitForBotMessage(ch, '@dave', 15_000), sim.waitForBotMessage(ch, '@erin', 15_000)]);
    sim.say(ch, 'dave', '!points');
    sim.say(ch, 'erin', '!points');
    const [first, second] = (await both).sort((a, b) => a.at - b.at);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
    expect(sim.botMessages(ch).filter((m) => m.dropped)).toEqual([]);
    expect(sim.rateViolations(ch)).toBe(0);
  });
});
