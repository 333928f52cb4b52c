/**
 * The dashboard with the demo's chat simulator, end to end: the real bot (tmi.js) on the local
 * chat simulator, the real app on a port, a real websocket client on the board feed. A line
 * posted from the dashboard's chat panel reaches the bot; its reply, and the changes it makes
 * (a proposal, a moderator's approval and a pledge typed in chat), are pushed to the board.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotHandle } from '../../bot/index.js';
import { createSimulatorDemoChat } from '../../infra/chat-sim/demo-chat.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { connectBoard, type BoardClient, type BoardMessage } from '../support/board-client.js';
import { signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { uniqueName } from '../support/services.js';

const BOT = 'missionbot';
const CH = 'demochan';
const logger = pino({ level: 'silent' });
let sim: ChatSimulator;
let database: TestDatabase;
let runtime: Runtime;
let bot: BotHandle;
let app: FastifyInstance;
let admin: BrowserSession;
let feed: BoardClient;

beforeAll(async () => {
  sim = await startChatSimulator();
  sim.setMod(CH, BOT, true);
  database = await createTestDatabase('dashboard_demo');
  const config = loadConfig({
    DATABASE_URL: database.url,
    LOG_LEVEL: 'silent',
    TWITCH_IRC_URL: sim.url,
    TWITCH_BOT_USERNAME: BOT,
    TWITCH_BOT_TOKEN: 'oauth:testtoken',
  });
  runtime = await createRuntime(config, logger, { jobPrefix: uniqueName('dashboard_demo'), poolMax: 20 });
  await runtime.services.channels.create({ login: CH, settings: { requireApproval: true, createCooldown: 0 } });
  bot = await startBot({ runtime, logger, userCooldownMs: 0, pledgeWindowMs: 100, channelPollMs: 100, reconnectIntervalMs: 50 });
  await sim.waitForJoin(CH, { login: BOT });
  app = await buildMissionApp(runtime, { demoChat: createSimulatorDemoChat(sim) });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  admin = await signInAsAdmin(app);
  feed = connectBoard(`${base.replace('http', 'ws')}/ws/board/${CH}`, { origin: base, cookie: admin.cookie });
  await feed.next((m) => m.type === 'snapshot');
});

afterAll(async () => {
  await feed?.close();
  await bot?.stop();
  await app?.close();
  await runtime?.close();
  await database?.drop();
  await sim?.close();
});

const say = (login: string, role: 'viewer' | 'moderator', text: string) =>
  app.inject({ method: 'POST', url: '/api/v1/demo/chat', headers: admin.write, payload: { channel: CH, login, role, text } });
const chatLine = (match: (line: { login: string; role: string; text: string }) => boolean) => (m: BoardMessage) =>
  m.type === 'chat' && match(m.line as { login: string; role: string; text: string });

describe('demo chat panel', () => {
  it('says that the demo chat is on', async () => {
    const me = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: admin.cookie } });
    expect(me.json().demo).toBe(true);
  });

  it('a viewer line reaches the bot; its reply and the proposal reach the board', async () => {
    const res = await say('alice', 'viewer', '!mission Beat the boss without dying 100 10m');
    expect(res.statusCode, res.body).toBe(201);
    await feed.next(chatLine((l) => l.login === 'alice' && l.role === 'viewer' && l.text.startsWith('!mission Beat')));
    const reply = await feed.next(chatLine((l) => l.role === 'bot' && l.text.includes('#1')));
    expect(reply.line).toMatchObject({ login: BOT, bot: true, displayName: expect.any(String) });
    const proposed = await feed.next((m) => m.type === 'mission' && (m.mission as { number: number; status: string }).number === 1);
    expect((proposed.mission as { status: string }).status).toBe('pending');
  });

  it('a moderator typing in chat approves, a pledge typed in chat appears on the board', async () => {
    expect((await say('bob', 'moderator', '!mission approve 1')).statusCode).toBe(201);
    await feed.next((m) => m.type === 'mission' && (m.mission as { number: number; status: string }).number === 1 && (m.mission as { status: string }).status === 'open');
    expect((await say('carol', 'viewer', '!pledge 1 250')).statusCode).toBe(201);
    const pledged = await feed.next((m) => m.type === 'pledge' && m.missionNumber === 1 && m.pot === 350);
    expect((pledged.topBackers as Array<{ viewer: { login: string } }>)[0]!.viewer.login).toBe('carol');
    const channel = await runtime.services.channels.get(CH);
    const report = await auditChannel(runtime.db.db, channel.id);
    expect(report.violations).toEqual([]);
  });

  it('a moderator pausing in chat shows on the board', async () => {
    expect((await say('bob', 'moderator', '!mission pause')).statusCode).toBe(201);
    const paused = await feed.next((m) => m.type === 'channel' && m.missionsPaused === true);
    expect(paused.seq).toEqual(expect.any(Number));
    expect((await say('bob', 'moderator', '!mission resume')).statusCode).toBe(201);
    await feed.next((m) => m.type === 'channel' && m.missionsPaused === false);
  });

  it('refuses bad input and a line from outside the dashboard', async () => {
    const bad = await say('Not A Login', 'viewer', 'hi');
    expect(bad.statusCode).toBe(400);
    const crossSite = await app.inject({
      method: 'POST',
      url: '/api/v1/demo/chat',
      headers: { ...admin.write, origin: 'https://evil.example' },
      payload: { channel: CH, login: 'mallory', role: 'moderator', text: '!mission fail 1' },
    });
    expect(crossSite.statusCode).toBe(403);
    expect(feed.messages.some(chatLine((l) => l.login === 'mallory'))).toBe(false);
  });
});
