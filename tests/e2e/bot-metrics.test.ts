/**
 * `mission_link_chat_channel_ready`, which the "bot disconnected" alert watches: 1 once the real
 * tmi.js client has joined the channel on the chat simulator, 0 when the connection drops, 1 again
 * after the bot reconnects.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotHandle } from '../../bot/index.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/harness.js';
import { uniqueName } from '../support/services.js';

const BOT = 'metricsbot';
const CHANNEL = 'metricschan';
let sim: ChatSimulator;
let database: TestDatabase;
let runtime: Runtime;
let bot: BotHandle;

const ready = async () => {
  const line = (await runtime.metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`mission_link_chat_channel_ready{channel="${CHANNEL}"}`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};
/** Every value the bot set, in order (the gauge alone could hide a short drop between two scrapes). */
const history: number[] = [];

beforeAll(async () => {
  sim = await startChatSimulator();
  database = await createTestDatabase('bot_metrics');
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', TWITCH_IRC_URL: sim.url, TWITCH_BOT_USERNAME: BOT, TWITCH_BOT_TOKEN: 'oauth:testtoken' });
  runtime = await createRuntime(config, pino({ level: 'silent' }), { jobPrefix: uniqueName('bot_metrics'), poolMax: 10 });
  await runtime.services.channels.create({ login: CHANNEL });
  const gauge = runtime.metrics.chatChannelReady;
  const recording = {
    set(labels: { channel: string }, value: number) {
      if (labels.channel === CHANNEL) history.push(value);
      gauge.set(labels, value);
    },
  } as unknown as typeof gauge;
  bot = await startBot({ runtime, logger: pino({ level: 'silent' }), metrics: { chatChannelReady: recording }, channelPollMs: 100, reconnectIntervalMs: 50 });
  await sim.waitForJoin(CHANNEL, { login: BOT });
});

afterAll(async () => {
  await bot?.stop();
  await runtime?.close();
  await sim?.close();
  await database?.drop();
});

describe('chat readiness gauge', () => {
  it('follows the connection: 1 joined, 0 dropped, 1 after the reconnect', async () => {
    await eventually(async () => (await ready()) === 1);
    expect(history).toEqual([1]);
    sim.dropConnections();
    await eventually(async () => history.length >= 3 && history.at(-1) === 1);
    expect(history).toEqual([1, 0, 1]);
    expect(await ready()).toBe(1);
  });
});
