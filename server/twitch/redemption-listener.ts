/**
 * The redemption side of the worker: one EventSub WebSocket subscription to the "Mission points"
 * reward of every channel with a broadcaster token, and reconciliation against Helix.
 *
 * EventSub delivers a redemption once, to the session open at that moment: one made during a
 * reconnect, a worker restart or a deploy is never sent again. So the reward's UNFULFILLED
 * redemptions are read back (Get Custom Reward Redemption) when a subscription starts, after
 * every EventSub reconnect and every few minutes, and go through the same idempotent handler;
 * the ones credited earlier but not yet marked FULFILLED are marked then.
 */
import { sql } from 'drizzle-orm';
import { EventSubWsListener } from '@twurple/eventsub-ws';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { TwitchIntegration } from './integration.js';
import { safeError } from './redact.js';
import type { RedemptionEvent, RedemptionHandler } from './redemptions.js';
import { ensureReward } from './rewards.js';

/** How often the reward queues are read back besides starts and reconnects. */
export const RECONCILE_EVERY_MS = 3 * 60_000;

export interface RedemptionListenerDeps {
  db: Database;
  twitch: TwitchIntegration;
  handler: RedemptionHandler;
  logger: Logger;
  reconcileEveryMs?: number;
}

type EventSubSubscription = ReturnType<EventSubWsListener['onChannelRedemptionAddForReward']>;

interface Watched {
  channelId: number;
  broadcasterId: string;
  rewardId: string;
  subscription: EventSubSubscription;
}

export interface RedemptionListener {
  /**
   * Subscribes to channels that gained a broadcaster token (creating their reward), drops those
   * that lost it, and reconciles the new ones. Safe to call at any time, any number of times.
   */
  sync(): Promise<void>;
  /** Reads every watched reward's UNFULFILLED redemptions back through the handler; returns how many were seen. */
  reconcile(): Promise<number>;
  /** Broadcaster ids subscribed now. */
  channels(): string[];
  stop(): Promise<void>;
}

export function createRedemptionListener(deps: RedemptionListenerDeps): RedemptionListener {
  const log = deps.logger.child({ component: 'eventsub' });
  const listener = new EventSubWsListener({ apiClient: deps.twitch.api });
  const watched = new Map<string, Watched>();
  let started = false;
  let stopped = false;
  // One sync or reconcile at a time: they share the watched map and the handler's rows.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const result = queue.then(work);
    queue = result.catch(() => undefined);
    return result;
  };

  const handle = (event: RedemptionEvent, source: string): Promise<void> =>
    deps.handler.handle(event).then(
      (outcome) => {
        if (outcome === 'credited') log.info({ redemption: event.id, source }, 'redemption credited');
      },
      (err: unknown) => log.error({ redemption: event.id, source, err: safeError(err) }, 'redemption handling failed'),
    );

  // A session (re)connected: whatever was redeemed while it was down is only on Helix now.
  listener.onUserSocketConnect((userId) => {
    if (stopped) return;
    const entry = [...watched.values()].find((w) => w.broadcasterId === userId);
    if (entry) void serially(() => reconcileOne(entry)).catch(() => undefined);
  });

  async function reconcileOne(entry: Watched): Promise<number> {
    // All pages first: crediting marks redemptions FULFILLED, which would shift later pages.
    const pending = await deps.twitch.api.channelPoints
      .getRedemptionsForBroadcasterPaginated(entry.broadcasterId, entry.rewardId, 'UNFULFILLED', {})
      .getAll();
    for (const r of pending) {
      await handle(
        {
          id: r.id,
          broadcasterId: r.broadcasterId,
          rewardId: r.rewardId,
          userId: r.userId,
          userLogin: r.userName,
          userDisplayName: r.userDisplayName,
          status: r.isFulfilled ? 'fulfilled' : r.isCanceled ? 'canceled' : 'unfulfilled',
        },
        'reconcile',
      );
    }
    return pending.length;
  }

  async function sync(): Promise<void> {
    const rows = (await deps.db.execute(sql`SELECT id, broadcaster_id FROM channels WHERE broadcaster_id IS NOT NULL`)).rows as {
      id: number;
      broadcaster_id: string;
    }[];
    const wanted = new Map(rows.filter((r) => deps.twitch.hasBroadcasterToken(r.broadcaster_id)).map((r) => [r.broadcaster_id, Number(r.id)]));
    for (const [broadcasterId, entry] of [...watched]) {
      if (wanted.has(broadcasterId)) continue;
      entry.subscription.stop();
      watched.delete(broadcasterId);
      log.info({ channelId: entry.channelId }, 'redemption subscription ended: no broadcaster token');
    }
    const fresh: Watched[] = [];
    for (const [broadcasterId, channelId] of wanted) {
      if (watched.has(broadcasterId)) continue;
      let rewardId: string;
      try {
        rewardId = await ensureReward(deps.db, deps.twitch, channelId, broadcasterId);
      } catch (err) {
        log.warn({ channelId, err: safeError(err) }, 'channel-point reward not set up');
        continue;
      }
      const subscription = listener.onChannelRedemptionAddForReward(broadcasterId, rewardId, (event) => {
        void handle(
          {
            id: event.id,
            broadcasterId: event.broadcasterId,
            rewardId: event.rewardId,
            userId: event.userId,
            userLogin: event.userName,
            userDisplayName: event.userDisplayName,
            status: event.status,
          },
          'eventsub',
        );
      });
      const entry = { channelId, broadcasterId, rewardId, subscription };
      watched.set(broadcasterId, entry);
      fresh.push(entry);
    }
    if (!started && watched.size > 0 && !stopped) {
      listener.start();
      started = true;
    }
    for (const entry of fresh) {
      await reconcileOne(entry).catch((err: unknown) => log.warn({ channelId: entry.channelId, err: safeError(err) }, 'redemption reconciliation failed'));
    }
  }

  async function reconcile(): Promise<number> {
    let seen = 0;
    for (const entry of [...watched.values()]) {
      seen += await reconcileOne(entry).catch((err: unknown) => {
        log.warn({ channelId: entry.channelId, err: safeError(err) }, 'redemption reconciliation failed');
        return 0;
      });
    }
    return seen;
  }

  const timer = setInterval(() => {
    void serially(reconcile).catch(() => undefined);
  }, deps.reconcileEveryMs ?? RECONCILE_EVERY_MS);
  timer.unref();

  return {
    sync: () => serially(sync),
    reconcile: () => serially(reconcile),
    channels: () => [...watched.keys()],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await queue;
      if (started) listener.stop();
    },
  };
}
