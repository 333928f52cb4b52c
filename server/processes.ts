/** Starts the server, worker and bot roles on one shared runtime, and stops them in order. */
import type { Logger } from 'pino';
import type { DemoChat } from './board/demo-chat.js';
import type { Config } from './config.js';
import { buildMissionApp } from './http/mission-app.js';
import { reconcileMissions, startMissionWorkers } from './jobs/mission-jobs.js';
import { createRuntime, type Runtime } from './runtime.js';
import { startBot, type BotHandle } from '../bot/index.js';
import { printSignInLink } from './sign-in-link.js';
import { wireTwitch, type WireTwitchOptions } from './twitch/wiring.js';
import { validateAccessToken } from './twitch/token-health.js';
import { chatReadiness, recordChatStatus } from './twitch/setup-status.js';

export type Role = 'server' | 'worker' | 'bot';

export interface RunningRoles {
  runtime: Runtime;
  url?: string;
  stop(): Promise<void>;
}

/** Whether chat is Twitch's own endpoint rather than a local simulator. */
export const isTwitchChat = (ircUrl: string): boolean => /(^|\.)twitch\.tv$/i.test(new URL(ircUrl).hostname);

export interface StartRolesOptions {
  /** Twitch timings (tests shorten the hourly validation). */
  twitch?: WireTwitchOptions;
  /** The dashboard's demo chat panel (`npm run demo`: the bot talks to an in-process simulator). */
  demoChat?: DemoChat;
}

export async function startRoles(config: Config, logger: Logger, roles: Role[], options: StartRolesOptions = {}): Promise<RunningRoles> {
  const runtime = await createRuntime(config, logger);
  // Before the roles start: it adds the Twitch readiness check and the channel resolver they use.
  const twitch = await wireTwitch(runtime, options.twitch);
  const stops: Array<() => Promise<void>> = [];
  let url: string | undefined;
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
    await printSignInLink(app.sessions, config.publicUrl);
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
    const started = await startBot({
      runtime,
      logger,
      storedCredentials: integration ? (options) => integration.botChatCredentials(options) : undefined,
      watchTwitch: (listener) => twitch.watch(listener),
      // Only Twitch can judge a token: against the chat simulator (demo, tests) there is nothing to ask.
      validateToken: isTwitchChat(config.twitch.ircUrl) ? async (token) => (await validateAccessToken(token, config.twitch.clientId)).status : undefined,
      onChatActivity: twitch.recordChat,
    });
    bot = started;
    runtime.readiness.push(chatReadiness(started, () => Date.now()));
    const stopRecording = recordChatStatus(runtime.db.db, started, () => Date.now());
    // First to stop: no new chat commands while the server and workers wind down.
    stops.unshift(async () => {
      stopRecording();
      await started.stop();
      await twitch.stopChat();
    });
  }

  stops.push(async () => twitch.stop());
  return {
    runtime,
    url,
    async stop() {
      for (const stop of stops) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
      await runtime.close();
    },
  };
}
