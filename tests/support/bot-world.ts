/**
 * The chat bot end to end for a test file: the chat simulator, a fresh migrated database, the
 * runtime (events over LISTEN/NOTIFY, jobs on BullMQ's Postgres backend) and the real tmi.js bot,
 * plus the steps every chat test takes: a fresh channel the bot has joined as a moderator, a line
 * said and its answer awaited, the ledger audit.
 */
import pino from 'pino';
import { expect } from 'vitest';
import { startBot, type BotHandle, type BotOptions } from '../../bot/index.js';
import { startChatSimulator, type ChatSimulator, type ChatSimulatorOptions } from '../../infra/chat-sim/index.js';
import { loadConfig } from '../../server/config.js';
import type { ChannelSettings } from '../../server/domain/settings.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { uniqueName } from './services.js';

export const BOT = 'missionbot';
const logger = pino({ level: 'silent' });

export interface BotWorld {
  sim: ChatSimulator;
  database: TestDatabase;
  runtime: Runtime;
  /** The running bot; a new one after `restartBot`. */
  readonly bot: BotHandle;
  /** Stops the bot and starts a new one on the same runtime, as a restarted bot process would be. */
  restartBot(): Promise<BotHandle>;
  /** A fresh channel with these settings; resolves once the bot has joined it (as a moderator unless `mod` is false). */
  newChannel(settings?: Partial<ChannelSettings>, mod?: boolean): Promise<string>;
  /** Says `text` as `login` and resolves with the bot's next line matching `reply`. */
  exchange(channel: string, login: string, text: string, reply: RegExp | string): Promise<string>;
  expectAuditOk(channel: string): Promise<void>;
  close(): Promise<void>;
}

export interface BotWorldOptions {
  simulator?: ChatSimulatorOptions;
  /** Bot options beyond the runtime and logger; tests shorten the windows by default. */
  bot?: Partial<Omit<BotOptions, 'runtime' | 'logger'>>;
  /** Database connections of the runtime (10 unless a test needs more at once). */
  poolMax?: number;
}

export async function startBotWorld(label: string, options: BotWorldOptions = {}): Promise<BotWorld> {
  const sim = await startChatSimulator(options.simulator);
  const database = await createTestDatabase(label);
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', TWITCH_IRC_URL: sim.url, TWITCH_BOT_USERNAME: BOT, TWITCH_BOT_TOKEN: 'oauth:testtoken' });
  const runtime = await createRuntime(config, logger, { jobPrefix: uniqueName(label), poolMax: options.poolMax ?? 10 });
  const launch = () => startBot({ runtime, logger, userCooldownMs: 0, pledgeWindowMs: 300, channelPollMs: 100, reconnectIntervalMs: 50, ...options.bot });
  let bot = await launch();
  let seq = 0;
  const prefix = label.replace(/[^a-z]/g, '').slice(0, 4) || 'ch';
  return {
    sim,
    database,
    runtime,
    get bot() {
      return bot;
    },
    async restartBot() {
      await bot.stop();
      bot = await launch();
      return bot;
    },
    async newChannel(settings = {}, mod = true) {
      const login = `${prefix}${process.pid}x${++seq}`;
      sim.setMod(login, BOT, mod);
      await runtime.services.channels.create({ login, settings });
      await sim.waitForJoin(login, { login: BOT });
      return login;
    },
    async exchange(channel, login, text, reply) {
      const answer = sim.waitForBotMessage(channel, reply, 8_000);
      sim.say(channel, login, text);
      return (await answer).text;
    },
    async expectAuditOk(login) {
      const channel = await runtime.services.channels.get(login);
      expect((await auditChannel(runtime.db.db, channel.id)).violations).toEqual([]);
    },
    async close() {
      await bot.stop();
      await runtime.close();
      await sim.close();
      await database.drop();
    },
  };
}
