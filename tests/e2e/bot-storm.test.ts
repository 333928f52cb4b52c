/**
 * The bot under load and under network failure: a 500-pledge storm inside Twitch's message
 * budget, a dropped connection mid-stream, and lines that reach the bot seconds late. Real tmi.js against the chat simulator, real
 * services on a fresh Postgres database.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotHandle } from '../../bot/index.js';
import { formatPoints } from '../../bot/i18n/index.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { uniqueName } from '../support/services.js';

const BOT = 'stormbot';
const logger = pino({ level: 'silent' });

let sim: ChatSimulator;
let database: TestDatabase;
let runtime: Runtime;
let bot: BotHandle;

async function expectAuditOk(login: string): Promise<void> {
  const channel = await runtime.services.channels.get(login);
  const report = await auditChannel(runtime.db.db, channel.id);
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}

async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function pledgesByViewer(login: string, number: number): Promise<Map<string, number[]>> {
  const channel = await runtime.services.channels.get(login);
  const byViewer = new Map<string, number[]>();
  let after: number | undefined;
  for (;;) {
    const page = await runtime.services.missions.pledges(channel, number, { limit: 500, ...(after === undefined ? {} : { after }) });
    for (const p of page.items) byViewer.set(p.viewer.login, [...(byViewer.get(p.viewer.login) ?? []), p.amount]);
    if (page.nextCursor === null) return byViewer;
    after = page.nextCursor;
  }
}

/** Says `command` (a `!mission` line) as alice and waits until the bot announces the mission live. */
async function openLiveMission(ch: string, command: string): Promise<void> {
  const live = sim.waitForBotMessage(ch, 'is live', 8_000);
  sim.say(ch, 'alice', command);
  await live;
}

const potOf = async (login: string, number: number) =>
  (await runtime.services.missions.get(await runtime.services.channels.get(login), number)).pot;

beforeAll(async () => {
  sim = await startChatSimulator();
  database = await createTestDatabase('bot_storm');
  for (const login of ['storm', 'flaky', 'laggy']) {
    // TWITCH_CHANNELS creates them at start-up; requireApproval off so missions open at once.
    sim.setBroadcaster(login, login);
  }
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    TWITCH_IRC_URL: sim.url,
    TWITCH_BOT_USERNAME: BOT,
    TWITCH_BOT_TOKEN: 'oauth:stormtoken',
    TWITCH_CHANNELS: 'storm,flaky,laggy',
  });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('bot_storm'), poolMax: 24 });
  for (const login of ['storm', 'flaky', 'laggy']) await runtime.services.channels.updateSettings(login, { requireApproval: false });
  bot = await startBot({ runtime, logger, channelCacheMs: 0, reconnectIntervalMs: 50 });
  await Promise.all(['storm', 'flaky', 'laggy'].map((c) => sim.waitForJoin(c, { login: BOT })));
});

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await sim?.close();
  await database?.drop();
});

describe('a pledge storm', () => {
  it('lands 500 pledges in ~5 s while chat stays inside the non-moderator budget', async () => {
    const ch = 'storm';
    await openLiveMission(ch, '!mission Clear the raid blindfolded 100 1h');

    const viewers = Array.from({ length: 500 }, (_, i) => ({ login: `viewer${i}`, amount: 10 + (i % 7) }));
    const expectedPot = 100 + viewers.reduce((sum, v) => sum + v.amount, 0);
    // 100 messages per second, in bursts of 10 every 100 ms.
    for (let i = 0; i < viewers.length; i += 10) {
      for (const v of viewers.slice(i, i + 10)) sim.say(ch, v.login, `!pledge 1 ${v.amount}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await eventually(async () => (await potOf(ch, 1)) === expectedPot);
    const byViewer = await pledgesByViewer(ch, 1);
    expect(byViewer.size).toBe(501);
    for (const v of viewers) expect(byViewer.get(v.login)).toEqual([v.amount]);

    const finalPot = `pot ${formatPoints(expectedPot)} pts`;
    await eventually(async () => sim.botMessages(ch).some((m) => m.text.includes(finalPot)));
    await bot.idle();
    // The storm was summarised, not confirmed line by line.
    expect(sim.botMessages(ch).some((m) => /^#1 \+\d+ backers, pot /.test(m.text))).toBe(true);
    const aboutMission = () => sim.botMessages(ch).filter((m) => m.text.startsWith('#1') || m.text.includes('to #1,'));
    expect(aboutMission().at(-1)?.text).toContain(finalPot);

    const verdict = sim.waitForBotMessage(ch, 'SUCCESS', 30_000);
    sim.say(ch, ch, '!mission success 1');
    expect((await verdict).text).toBe(`#1 SUCCESS! ${formatPoints(expectedPot)} pts go to the streamer`);
    expect(aboutMission().at(-1)?.text).toContain(formatPoints(expectedPot));

    const sent = sim.botMessages(ch);
    expect(sent.length).toBeLessThanOrEqual(20);
    expect(sim.rateViolations(ch)).toBe(0);
    expect(sim.duplicateViolations(ch)).toBe(0);
    expect(new Set(sent.map((m) => m.text)).size).toBe(sent.length);
    await expectAuditOk(ch);
  });
});

describe('a dropped connection', () => {
  it('reconnects, rejoins and handles what comes after, once each', async () => {
    const ch = 'flaky';
    await openLiveMission(ch, '!mission Hold the point 100');

    const before = Array.from({ length: 10 }, (_, i) => `early${i}`);
    for (const login of before) sim.say(ch, login, '!pledge 1 20');
    // Cut the network while those are still being handled.
    sim.dropConnections();
    expect(sim.joined(ch, BOT)).toBe(false);
    await sim.waitForJoin(ch, { login: BOT, timeoutMs: 10_000 });

    const after = Array.from({ length: 10 }, (_, i) => `late${i}`);
    const confirmed = sim.waitForBotMessage(ch, /late\d pledged|\+\d+ backers/, 10_000);
    for (const login of after) sim.say(ch, login, '!pledge 1 30');
    await eventually(async () => {
      const byViewer = await pledgesByViewer(ch, 1);
      return after.every((login) => byViewer.has(login));
    });
    await confirmed;
    await bot.idle();

    const byViewer = await pledgesByViewer(ch, 1);
    for (const login of after) expect(byViewer.get(login)).toEqual([30]);
    // Lines the socket had delivered before the cut are handled once; none twice.
    for (const login of before) expect(byViewer.get(login) ?? [20]).toEqual([20]);
    for (const amounts of byViewer.values()) expect(amounts).toHaveLength(1);
    expect(sim.rateViolations(ch)).toBe(0);
    await expectAuditOk(ch);
  });
});

describe('a bot behind chat', () => {
  it('refuses the pledge of a line that reached it seconds late, with the busy line, and takes the fresh ones', async () => {
    const ch = 'laggy';
    await openLiveMission(ch, '!mission Speedrun the tutorial 100 1h');
    sim.say(ch, 'punctual', '!pledge 1 20');
    await eventually(async () => (await potOf(ch, 1)) === 120);

    // Twitch stamped this line 10 s before the bot read it: the bot is that far behind chat.
    const busy = sim.waitForBotMessage(ch, 'Too many pledges at once', 8_000);
    sim.say(ch, 'tardy', '!pledge 1 30', { tags: { 'tmi-sent-ts': String(Date.now() - 10_000) } });
    await busy;
    sim.say(ch, 'prompt', '!pledge 1 40');
    await eventually(async () => (await potOf(ch, 1)) === 160);
    await bot.idle();
    expect([...(await pledgesByViewer(ch, 1)).keys()].sort()).toEqual(['alice', 'prompt', 'punctual']);
    await expectAuditOk(ch);
  });
});
