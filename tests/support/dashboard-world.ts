/**
 * The dashboard end to end: the whole service listening on a real port (HTTP app with the
 * dashboard bundle, workers, the real tmi.js bot against the chat simulator) on a fresh Postgres
 * database and the shared Redis, and one headless Chromium. Each test file starts one world; the
 * dashboard bench and the screenshot script use it too (so it throws instead of using `expect`).
 */
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startBot, type BotHandle } from '../../bot/index.js';
import { createSimulatorDemoChat } from '../../infra/chat-sim/demo-chat.js';
import { startChatSimulator, type ChatSimulator } from '../../infra/chat-sim/index.js';
import { loadConfig, type Config } from '../../server/config.js';
import type { ChannelSettings } from '../../server/domain/settings.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { startMissionWorkers } from '../../server/jobs/mission-jobs.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createSessionService } from '../../server/services/sessions.js';
import { createTokenService } from '../../server/services/tokens.js';
import { SESSION_COOKIE } from '../../server/http/session/session-plugin.js';
import { listModerators, replaceModerators } from '../../server/twitch/moderators.js';
import { wireTwitch, type TwitchWiring } from '../../server/twitch/wiring.js';
import { createTestDatabase } from './database.js';
import { REDIS_URL, uniqueName } from './services.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BOT = 'missionbot';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export interface DashboardWorld {
  base: string;
  config: Config;
  runtime: Runtime;
  sim: ChatSimulator;
  browser: Browser;
  /** Uncaught errors of every page opened (tests expect none). */
  pageErrors: string[];
  /** A new browser context (own cookies) and page; `locale` drives navigator.languages. */
  newPage(options?: { locale?: string; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' }): Promise<Page>;
  /** Signs the page's context in as the instance admin through a fresh sign-in link. */
  signIn(page: Page): Promise<void>;
  /** Signs the page's context in as a Twitch user whom Twitch lists as a moderator of `channel`. */
  signInAsModerator(page: Page, channel: string, login: string): Promise<void>;
  /** A channel the bot has joined as a moderator. */
  newChannel(login: string, settings?: Partial<ChannelSettings>): Promise<void>;
  /** Says `text` in chat as `login` and waits for the bot's reply matching `reply`. */
  exchange(channel: string, login: string, text: string, reply: RegExp | string): Promise<string>;
  expectAuditOk(channel: string): Promise<void>;
  /** Headers of a REST write made by the bot's service token for a chat user. */
  asChatUser(channel: string, login: string, role?: 'viewer' | 'moderator'): Record<string, string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface WorldOptions {
  /** Extra environment for the service's config. */
  env?: Record<string, string>;
  /** The demo chat panel, as `npm run demo` wires it to the chat simulator. */
  demoChat?: boolean;
  /**
   * The Twitch sign-in routes, as the server wires them (set TWURPLE_MOCK_API_PORT to the Helix
   * mock's port, and the Twitch app's variables in `env`).
   */
  twitch?: boolean;
}

export async function startDashboardWorld(label: string, options: WorldOptions = {}): Promise<DashboardWorld> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const sim = await startChatSimulator();
  const database = await createTestDatabase(label);
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    TWITCH_IRC_URL: sim.url,
    TWITCH_BOT_USERNAME: BOT,
    TWITCH_BOT_TOKEN: 'oauth:testtoken',
    ...options.env,
  });
  const runtime = await createRuntime(config, logger, { jobPrefix: uniqueName(label), poolMax: 20 });
  const workers = startMissionWorkers({ backend: runtime.jobs, db: runtime.db.db, verdicts: runtime.services.verdicts, logger, now: runtime.now });
  const wiring: TwitchWiring | null = options.twitch ? await wireTwitch(runtime) : null;
  const app = await buildMissionApp(runtime, {
    ...(options.demoChat ? { demoChat: createSimulatorDemoChat(sim) } : {}),
    ...(wiring ? { plugins: [wiring.routes] } : {}),
  });
  const base = await app.listen({ host: config.host, port: config.port });
  const bot: BotHandle = await startBot({ runtime, logger, userCooldownMs: 0, pledgeWindowMs: 200, channelPollMs: 100, reconnectIntervalMs: 50 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const sessions = createSessionService(runtime.db.db);
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const { token: botToken } = await createTokenService(runtime.db.db).issueToken({ role: 'bot', label: 'dashboard-e2e' });

  return {
    base,
    pageErrors,
    config,
    runtime,
    sim,
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        locale: options.locale ?? 'en-US',
        viewport: options.viewport ?? { width: 1280, height: 900 },
        colorScheme: options.colorScheme ?? 'light',
      });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
      return page;
    },
    async signIn(page) {
      const { code } = await sessions.createLoginLink();
      await page.goto(`${base}/login/${code}`);
      if (new URL(page.url()).pathname !== '/') throw new Error(`sign-in link landed on ${page.url()}`);
    },
    async signInAsModerator(page, channelLogin, login) {
      const viewer = sim.viewer(login) ?? sim.createViewer({ login });
      const channel = await runtime.services.channels.get(channelLogin);
      const others = (await listModerators(runtime.db.db, channel.id)).filter((m) => m.id !== viewer.userId);
      await replaceModerators(runtime.db.db, channel.id, [...others, { id: viewer.userId, login, displayName: login }]);
      const session = await sessions.createTwitchSession({ userId: viewer.userId, login, displayName: login });
      await page.context().addCookies([{ name: SESSION_COOKIE, value: session.token, url: base, httpOnly: true, sameSite: 'Lax' }]);
    },
    async newChannel(login, settings = {}) {
      sim.setMod(login, BOT, true);
      await runtime.services.channels.create({ login, settings });
      await sim.waitForJoin(login, { login: BOT });
    },
    async exchange(channel, login, text, reply) {
      const answer = sim.waitForBotMessage(channel, reply, 8_000);
      sim.say(channel, login, text);
      return (await answer).text;
    },
    async expectAuditOk(login) {
      const channel = await runtime.services.channels.get(login);
      const report = await auditChannel(runtime.db.db, channel.id);
      if (!report.ok) throw new Error(`ledger audit of ${login} failed: ${JSON.stringify(report.violations)}`);
    },
    asChatUser(channel, login, role = 'viewer') {
      return {
        authorization: `Bearer ${botToken}`,
        'content-type': 'application/json',
        'x-acting-channel': channel,
        'x-acting-user-id': `id-${login}`,
        'x-acting-user-login': login,
        'x-acting-user-display-name': login,
        'x-acting-user-role': role,
      };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await bot.stop();
      await app.close();
      wiring?.stop();
      await workers.close();
      await runtime.close();
      await sim.close();
      await database.drop();
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page; returns the serious and critical violations (rule id and targets). */
export async function seriousA11yViolations(page: Page): Promise<Array<{ id: string; targets: string[] }>> {
  // Evaluated through the devtools protocol, so the page's CSP does not block it.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, targets: v.nodes.map((n) => `${n.target.join(' ')}${(n as { failureSummary?: string }).failureSummary ? `: ${(n as { failureSummary?: string }).failureSummary}` : ''}`) }));
  });
  return violations;
}

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM_PATH);
