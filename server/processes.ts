/** Starts the server, worker and bot roles on one shared runtime, and stops them in order. */
import type { Logger } from 'pino';
import type { DemoChat } from './board/demo-chat.js';
import type { Config } from './config.js';
import { buildMissionApp } from './http/mission-app.js';
import { reconcileMissions, startMissionWorkers } from './jobs/mission-jobs.js';
import { createRuntime, type Runtime } from './runtime.js';
import { startBot, type BotHandle } from '../bot/index.js';
import { printSignInLink } from './sign-in-link.js';
import { wireTwitch } from './twitch/wiring.js';

export type Role = 'server' | 'worker' | 'bot';

export interface RunningRoles {
  runtime: Runtime;
  url?: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** The dashboard's demo chat panel (`npm run demo`: the bot talks to an in-process simulator). */
  demoChat?: DemoChat;
}

export async function startRoles(config: Config, logger: Logger, roles: Role[], options: StartOptions = {}): Promise<RunningRoles> {
  const runtime = await createRuntime(config, logger);
  // Before the roles start: it adds the Twitch readiness check and the channel resolver they use.
  const twitch = await wireTwitch(runtime);
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
    const started = await startBot({
      runtime,
      logger,
      storedCredentials: twitch.twitch ? () => twitch.twitch!.botChatCredentials() : undefined,
      onChatActivity: twitch.recordChat,
    });
    bot = started;
    // First to stop: no new chat commands while the server and workers wind down.
    stops.unshift(async () => {
      await started.stop();
      await twitch.stopChat();
    });
  }

  return {
    runtime,
    url,
    async stop() {
      for (const stop of stops) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
      await runtime.close();
    },
  };
}
