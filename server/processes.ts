/** Starts the server, worker and bot roles on one shared runtime, and stops them in order. */
import os from 'node:os';
import type { Logger } from 'pino';
import type { DemoChat } from './board/demo-chat.js';
import type { Config } from './config.js';
import { buildMissionApp } from './http/mission-app.js';
import { appVersion } from './app-version.js';
import { startBackupJob } from './jobs/backup-job.js';
import { startLedgerAuditJob } from './jobs/ledger-audit-job.js';
import { startMissionWorkers } from './jobs/mission-jobs.js';
import { reconcileMissions } from './services/reconcile.js';
import { createRuntime, type Runtime } from './runtime.js';
import { startBot, type BotHandle } from '../bot/index.js';
import { signInLine } from './sign-in-link.js';
import type { TwitchDeps } from './twitch/integration.js';
import { wireTwitch, type WireTwitchOptions } from './twitch/wiring.js';
import { validateAccessToken } from './twitch/token-health.js';
import { chatReadiness, recordChatStatus } from './twitch/setup-status.js';
import { createBanner, type Banner } from './startup/banner.js';
import { describeStart } from './startup/describe.js';

export type Role = 'server' | 'worker' | 'bot';

export interface RunningRoles {
  runtime: Runtime;
  url?: string;
  /** What `npm start` prints first; a role or feature adds its own lines (see `Banner`). */
  banner: Banner;
  stop(): Promise<void>;
}

/** Whether chat is Twitch's own endpoint rather than a local simulator. */
export const isTwitchChat = (ircUrl: string): boolean => /(^|\.)twitch\.tv$/i.test(new URL(ircUrl).hostname);

export interface StartOptions {
  /** The `.env` file `main` loaded, for the banner. */
  envFile?: string | undefined;
  /** Twitch timings (tests shorten the hourly validation). */
  twitch?: WireTwitchOptions & Pick<TwitchDeps, 'refreshRetry'>;
  /** The dashboard's demo chat panel (`npm run demo`: the bot talks to an in-process simulator). */
  demoChat?: DemoChat;
}

export async function startRoles(config: Config, logger: Logger, roles: Role[], options: StartOptions = {}): Promise<RunningRoles> {
  const runtime = await createRuntime(config, logger, { twitchRefreshRetry: options.twitch?.refreshRetry });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
    await runtime.close();
  };
  try {
    return await startOn(runtime, roles, stops, stopAll, options);
  } catch (err) {
    // A role that cannot start (port in use) must not leave the others, the pools or the embedded
    // Postgres running behind the error message.
    await stopAll().catch(() => undefined);
    throw err;
  }
}

async function startOn(
  runtime: Runtime,
  roles: Role[],
  stops: Array<() => Promise<void>>,
  stopAll: () => Promise<void>,
  options: StartOptions,
): Promise<RunningRoles> {
  const { config, logger } = runtime;
  // Before the roles start: it starts the Twitch integration and adds its readiness check.
  const twitch = await wireTwitch(runtime, options.twitch);
  const banner = createBanner();
  let url: string | undefined;
  let server: { dashboard: boolean; channels: Array<{ login: string; overlayKey: string }> } | undefined;
  let bot: BotHandle | undefined;

  if (roles.includes('worker')) {
    const workers = startMissionWorkers({
      backend: runtime.jobs,
      db: runtime.db.db,
      verdicts: runtime.services.verdicts,
      logger,
      now: runtime.now,
      onJobLag: (queue, seconds) => runtime.metrics.jobLag.observe({ queue }, seconds),
      onSettled: (outcome, seconds) => {
        runtime.metrics.settlements.inc({ outcome });
        runtime.metrics.settlementDuration.observe(seconds);
      },
    });
    stops.push(() => workers.close());
    await reconcileMissions(runtime.db.db, runtime.scheduler, logger);
    const audit = await startLedgerAuditJob({ backend: runtime.jobs, db: runtime.db.db, logger, metrics: runtime.metrics, now: runtime.now });
    stops.push(() => audit.close());
    if (config.backup.dir) {
      const backups = await startBackupJob({
        backend: runtime.jobs,
        pool: runtime.db.pool,
        dir: config.backup.dir,
        keep: config.backup.keep,
        everyMs: config.backup.everyMs,
        appVersion: appVersion(),
        logger,
        now: runtime.now,
        lastSuccess: runtime.metrics.backupLastSuccess,
      });
      stops.push(() => backups.close());
      logger.info({ dir: config.backup.dir, keep: config.backup.keep, everyMs: config.backup.everyMs }, 'scheduled backups on');
    }
    stops.push(await twitch.startWorker());
  }

  if (roles.includes('server')) {
    const app = await buildMissionApp(runtime, {
      plugins: [twitch.routes],
      demoChat: options.demoChat,
      // The bot starts after the server; until then (and when it runs elsewhere) it is unknown here.
      bot: () => (bot && roles.includes('bot') ? { running: bot.running, channels: bot.channels() } : null),
    });
    url = await app.listen({ host: config.host, port: config.port });
    logger.info({ url }, 'Mission Link API listening');
    server = { dashboard: app.hasRoute({ method: 'GET', url: '/' }), channels: await runtime.services.channels.list() };
    banner.add(await signInLine(app.sessions, config.publicUrl));
    // Fastify's close stops accepting, then waits for in-flight requests (accepted pledges commit).
    // Node closes idle keep-alive connections once, at close(); one that finishes its request
    // afterwards stays open for keepAliveTimeout (72 s) and holds the close past the shutdown
    // timeout, so idle connections are swept until the server has closed.
    stops.unshift(async () => {
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
    });
  }

  if (roles.includes('bot')) {
    const integration = twitch.twitch;
    const chatBot = await startBot({
      runtime,
      metrics: runtime.metrics,
      logger,
      storedCredentials: integration ? (credentialOptions) => integration.botChatCredentials(credentialOptions) : undefined,
      watchTwitch: (listener) => twitch.watch(listener),
      // Only Twitch can judge a token: against the chat simulator (demo, tests) there is nothing to ask.
      validateToken: isTwitchChat(config.twitch.ircUrl) ? async (token) => (await validateAccessToken(token, config.twitch.clientId)).status : undefined,
      onChatActivity: twitch.recordChat,
    });
    bot = chatBot;
    runtime.readiness.push(chatReadiness(chatBot, () => Date.now()));
    const stopRecording = recordChatStatus(runtime.db.db, chatBot, () => Date.now());
    // First to stop: no new chat commands while the server and workers wind down.
    stops.unshift(async () => {
      stopRecording();
      await chatBot.stop();
      await twitch.stopChat();
    });
  }

  stops.push(async () => twitch.stop());

  const everyInterface = config.host === '0.0.0.0' || config.host === '::';
  const lanAddresses = everyInterface ? lanIPv4() : [];
  banner.add(...describeStart({ config, server, bot, envFile: options.envFile, embedded: runtime.embedded, lanAddresses }));
  return { runtime, url, banner, stop: stopAll };
}

/** Private IPv4 addresses of this machine, for links other PCs on the LAN can open. */
function lanIPv4(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
}
