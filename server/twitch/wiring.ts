/**
 * Connects the Twitch pieces to a running process: the integration (when configured), the
 * channel resolver, the readiness check, the login routes, and in the worker role the accrual
 * schedulers and the redemption listener.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { IncomingMessage } from '../../bot/chat-client.js';
import { authRoutes } from '../http/routes/auth.js';
import type { Runtime } from '../runtime.js';
import { createChannelService } from '../services/channels.js';
import { startAccrualJobs } from './accrual-job.js';
import { createChatActivityRecorder } from './chat-activity.js';
import { createDashboardLogin } from './dashboard-login.js';
import { createHelix } from './helix.js';
import { createTwitchIntegration, type TwitchIntegration } from './integration.js';
import { safeError } from './redact.js';
import { createRedemptionHandler } from './redemptions.js';
import { ensureReward, helixStatusUpdate, startRedemptionListener } from './rewards.js';

export interface TwitchWiring {
  twitch: TwitchIntegration | null;
  /** Root plugin with `/auth/twitch` and its callback. */
  routes: FastifyPluginAsync;
  /** For the bot: remembers who chatted (the accrual bonus), written every 2 s; undefined without Twitch. */
  recordChat: ((message: IncomingMessage) => void) | undefined;
  /** Writes the chat activity still buffered. */
  stopChat(): Promise<void>;
  /** Worker role: accrual schedulers and the redemption listener (nothing without Twitch). */
  startWorker(): Promise<() => Promise<void>>;
}

export async function wireTwitch(runtime: Runtime): Promise<TwitchWiring> {
  const { config, logger } = runtime;
  const db = runtime.db.db;
  const twitch = createTwitchIntegration({ config, db, logger });
  const helix = twitch ? createHelix(twitch) : null;
  if (twitch && helix) {
    await twitch.start();
    runtime.readiness.push(twitch.readiness);
    // The runtime built the channel service before Twitch was known; this one also resolves ids.
    runtime.services.channels = createChannelService(db, {
      events: { bus: runtime.bus, logger },
      resolveBroadcaster: async (login) => {
        const user = await helix.userByLogin(login);
        return user ? { id: user.id, displayName: user.displayName } : null;
      },
      onResolveError: (login, err) => logger.warn({ login, err: safeError(err) }, 'broadcaster id not resolved; will retry'),
    });
  }

  const routes = authRoutes({
    twitch,
    dashboardLogin:
      twitch && helix
        ? createDashboardLogin({
            db,
            twitch,
            helix,
            // Read at call time: the channel service above replaces the runtime's.
            channels: { get: (login) => runtime.services.channels.get(login) },
            now: runtime.now,
            logger,
          })
        : undefined,
    publicUrl: config.publicUrl,
    now: runtime.now,
    // Only the configured bot account may become the bot; only a registered channel's owner a broadcaster.
    allow: async (role, user) => {
      if (role === 'bot') {
        const expected = config.twitch.botUsername;
        if (expected && user.login !== expected) return `Log in as ${expected} (TWITCH_BOT_USERNAME), not ${user.login}.`;
        return null;
      }
      const channels = await runtime.services.channels.list();
      return channels.some((c) => c.broadcasterId === user.userId || c.login === user.login)
        ? null
        : `${user.login} is not a channel of this Mission Link; add the channel first.`;
    },
    onConnected: async (role, user) => {
      if (role !== 'broadcaster' || !twitch) return;
      const channel = (await runtime.services.channels.list()).find((c) => c.broadcasterId === user.userId || c.login === user.login);
      if (channel) await ensureReward(db, twitch, channel.id, user.userId);
    },
  });

  const chatActivity = twitch
    ? createChatActivityRecorder({
        db,
        logger,
        channelId: (login) => runtime.services.channels.get(login).then((c) => c.id, () => null),
      })
    : null;

  return {
    twitch,
    routes,
    recordChat: chatActivity ? (message: IncomingMessage) => chatActivity.record(message) : undefined,
    stopChat: () => chatActivity?.stop() ?? Promise.resolve(),
    async startWorker() {
      // Without Twitch credentials nobody records chat activity, so there is nothing to accrue.
      if (!twitch) return () => Promise.resolve();
      const accrual = startAccrualJobs({ db, logger, now: runtime.now, backend: runtime.jobs, twitch: twitch && helix ? { integration: twitch, helix } : undefined });
      await accrual.sync().catch((err: unknown) => logger.warn({ err: safeError(err) }, 'accrual schedules not synced'));
      const listener = twitch
        ? await startRedemptionListener({ db, twitch, logger, handler: createRedemptionHandler({ db, logger, updateStatus: helixStatusUpdate(twitch) }) })
        : null;
      return async () => {
        await listener?.stop();
        await accrual.close();
      };
    },
  };
}
