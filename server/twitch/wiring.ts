/**
 * Connects the Twitch pieces to a running process: starts the integration the runtime built its
 * services with (when configured; `runtime.twitch`, server/twitch/edge.ts), adds its readiness
 * check, the login routes, the hourly token validation, the Twitch set-up changes over the event
 * bus, and in the worker role the accrual schedulers and the redemption listener (both following
 * those changes).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { IncomingMessage } from '../ports/chat-client.js';
import type { TwitchChangedEvent } from '../events/types.js';
import { authRoutes } from '../http/routes/auth.js';
import { isDomainError } from '../domain/errors.js';
import type { Runtime } from '../runtime.js';
import { startAccrualJobs } from './accrual-job.js';
import { createChatActivityRecorder } from './chat-activity.js';
import { createDashboardLogin } from './dashboard-login.js';
import { twitchChangePublisher } from './edge.js';
import type { TwitchIntegration } from './integration.js';
import { createLoginPolicy, loginStartRefusal, BOT_ACCOUNT_UNNAMED } from './login-policy.js';
import { safeError } from './redact.js';
import { createRedemptionHandler } from './redemptions.js';
import { createRedemptionListener, type RedemptionListener } from './redemption-listener.js';
import { ensureReward, helixStatusUpdate, RewardSetupError } from './rewards.js';
import { VALIDATE_EVERY_MS } from './token-health.js';

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
  /**
   * Twitch set-up changes from every process, after this process's tokens were reloaded from
   * the database (so a login handled elsewhere is usable here). Returns an unsubscribe.
   */
  watch(listener: (change: TwitchChangedEvent) => void): () => void;
  /** Tells every process that a channel appeared. */
  channelChanged(login: string): void;
  /** Stops the hourly validation and the bus subscription. */
  stop(): void;
  /** The worker's redemption listener while the worker role runs here (tests, set-up status). */
  redemptions(): RedemptionListener | null;
}

export interface WireTwitchOptions {
  /** How often every loaded token is validated with Twitch. Default one hour, as Twitch asks. */
  validateEveryMs?: number;
  /** How often the worker reads the rewards' UNFULFILLED redemptions back. Default 3 minutes. */
  reconcileEveryMs?: number;
}

export async function wireTwitch(runtime: Runtime, options: WireTwitchOptions = {}): Promise<TwitchWiring> {
  const { config, logger } = runtime;
  const db = runtime.db.db;
  const { channels } = runtime.services;
  const twitch = runtime.twitch?.integration ?? null;
  const helix = runtime.twitch?.helix ?? null;
  const watchers = new Set<(change: TwitchChangedEvent) => void>();
  const publish = twitchChangePublisher({ bus: runtime.bus, now: runtime.now, logger });
  // One path for every process, this one included: the change comes back over the bus.
  let applying: Promise<unknown> = Promise.resolve();
  const unsubscribeBus = runtime.bus.subscribeTwitch((event) => {
    applying = applying
      .then(async () => {
        if (event.change === 'token') await twitch?.reload();
        for (const watcher of [...watchers]) watcher(event);
      })
      .catch((err: unknown) => logger.error({ err: safeError(err) }, 'applying a Twitch set-up change failed'));
  });
  twitch?.onTokenChange((change) => publish({ change: 'token', channel: '', userId: change.userId, role: change.role, status: change.status }));
  let validation: NodeJS.Timeout | undefined;
  let workerListener: RedemptionListener | null = null;
  const watch = (listener: (change: TwitchChangedEvent) => void): (() => void) => {
    watchers.add(listener);
    return () => watchers.delete(listener);
  };
  if (twitch) {
    if (config.twitch.botUsername === undefined) logger.warn(BOT_ACCOUNT_UNNAMED);
    await twitch.start();
    runtime.readiness.push(twitch.readiness);
    // Twitch requires a validation at start and hourly; not awaited, a slow Twitch must not hold start-up.
    const validate = () => void twitch.validate().catch((err: unknown) => logger.warn({ err: safeError(err) }, 'Twitch token validation failed'));
    validate();
    validation = setInterval(validate, options.validateEveryMs ?? VALIDATE_EVERY_MS);
    validation.unref();
  }

  const routes = authRoutes({
    twitch,
    dashboardLogin:
      twitch && helix
        ? createDashboardLogin({
            db,
            twitch,
            helix,
            channels,
            now: runtime.now,
            logger,
          })
        : undefined,
    channelExists: twitch
      ? (login) => runtime.services.channels.get(login).then(() => true, (err: unknown) => (isDomainError(err) ? false : Promise.reject(err)))
      : undefined,
    publicUrl: config.publicUrl,
    now: runtime.now,
    // Only the configured bot account may become the bot; only a registered channel's owner a broadcaster.
    allow: createLoginPolicy({ botUsername: config.twitch.botUsername, channels: () => channels.list() }),
    startRefusal: (role) => loginStartRefusal(role, config.twitch.botUsername),
    onConnected: async (role, user) => {
      try {
        if (role !== 'broadcaster' || !twitch) return null;
        const channel = (await channels.list()).find((c) => c.broadcasterId === user.userId || c.login === user.login);
        if (channel) await ensureReward(db, twitch, channel.id, user.userId);
        return null;
      } catch (err) {
        if (err instanceof RewardSetupError) {
          logger.warn({ login: user.login, err: safeError(err.cause) }, 'channel-point reward not created');
          return err.message;
        }
        throw err;
      } finally {
        // After the reward exists, so the worker subscribes to it rather than racing to create it.
        publish({ change: 'token', channel: '', userId: user.userId, role, status: 'valid' });
      }
    },
  });

  const chatActivity = twitch
    ? createChatActivityRecorder({
        db,
        logger,
        channelId: (login) => channels.get(login).then((c) => c.id, () => null),
      })
    : null;

  return {
    twitch,
    routes,
    watch,
    channelChanged: (login) => publish({ change: 'channel', channel: login }),
    redemptions: () => workerListener,
    stop() {
      clearInterval(validation);
      unsubscribeBus();
      watchers.clear();
    },
    recordChat: chatActivity ? (message: IncomingMessage) => chatActivity.record(message) : undefined,
    stopChat: () => chatActivity?.stop() ?? Promise.resolve(),
    async startWorker() {
      // Without Twitch credentials nobody records chat activity, so there is nothing to accrue.
      if (!twitch) return () => Promise.resolve();
      const accrual = startAccrualJobs({ db, logger, now: runtime.now, backend: runtime.jobs, twitch: twitch && helix ? { integration: twitch, helix } : undefined });
      await accrual.sync().catch((err: unknown) => logger.warn({ err: safeError(err) }, 'accrual schedules not synced'));
      const listener = createRedemptionListener({
        db,
        twitch,
        logger,
        handler: createRedemptionHandler({ db, logger, updateStatus: helixStatusUpdate(twitch) }),
        reconcileEveryMs: options.reconcileEveryMs,
      });
      await listener.sync().catch((err: unknown) => logger.warn({ err: safeError(err) }, 'redemption listener not synced'));
      // A broadcaster login, a revoked token or a new channel anywhere: subscribe, unsubscribe, schedule.
      const unwatch = watch((change) => {
        if (change.change === 'token' && change.role === 'bot') return;
        listener.sync().catch((err: unknown) => logger.warn({ err: safeError(err) }, 'redemption listener not synced'));
        accrual.sync().catch((err: unknown) => logger.warn({ err: safeError(err) }, 'accrual schedules not synced'));
      });
      workerListener = listener;
      return async () => {
        unwatch();
        workerListener = null;
        await listener.stop();
        await accrual.close();
      };
    },
  };
}
