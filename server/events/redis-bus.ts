import { Redis } from 'ioredis';
import type { DomainEvent, TwitchChangedEvent } from './types.js';
import { createHandlerRegistry, isDomainEvent, type BusLogger, type ReadyEventBus } from './memory-bus.js';

export interface RedisEventBusOptions {
  url: string;
  channel?: string;
  logger: BusLogger;
  /**
   * How long `publish` waits for the publisher connection to become ready (at start-up or
   * while Redis restarts) before rejecting. Default 2000 ms.
   */
  publishTimeoutMs?: number;
  /** Called after the subscriber connection came back and resubscribed; events in the gap are lost. */
  onResubscribed?: () => void;
  /** Prefix of the Redis `CLIENT SETNAME` of both connections, to tell instances apart. Default `mission-link`. */
  connectionName?: string;
}

/**
 * Cross-process events over Redis pub/sub, one publisher and one subscriber connection.
 *
 * Publishing while Redis is unreachable waits at most `publishTimeoutMs` for the connection
 * and then rejects: nothing is queued inside ioredis, so a rejected event is never sent late
 * behind newer ones. Pub/sub is at-most-once; a subscriber that was disconnected misses what
 * was published meanwhile (`onResubscribed` lets consumers resynchronise).
 */
export function createRedisEventBus(options: RedisEventBusOptions): ReadyEventBus {
  const { url, logger } = options;
  const channel = options.channel ?? 'mission-link:events';
  const publishTimeoutMs = options.publishTimeoutMs ?? 2_000;
  const name = options.connectionName ?? 'mission-link';
  const registry = createHandlerRegistry(logger);
  let closed = false;

  const publisher = new Redis(url, {
    connectionName: `${name}:events:pub`,
    enableOfflineQueue: false,
    // A command already written when the connection drops is retried once after reconnecting,
    // then rejected, so `publish` settles within a bounded time.
    maxRetriesPerRequest: 1,
    commandTimeout: publishTimeoutMs,
  });
  // ioredis reconnects forever and re-subscribes (autoResubscribe), so the bus survives Redis
  // restarts. The initial SUBSCRIBE must wait for Redis too: had it been rejected after the
  // default 20 retries, autoResubscribe would never learn the channel and the bus would go deaf.
  const subscriber = new Redis(url, {
    connectionName: `${name}:events:sub`,
    autoResubscribe: true,
    maxRetriesPerRequest: null,
  });
  for (const [role, conn] of [['publisher', publisher], ['subscriber', subscriber]] as const) {
    // Without an 'error' listener ioredis logs unhandled errors on every reconnect attempt.
    conn.on('error', (err: Error) => logger.warn({ err, role }, 'redis event bus connection error'));
  }

  subscriber.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch (err) {
      logger.warn({ err }, 'dropping unparsable event');
      return;
    }
    if (!isDomainEvent(event)) {
      logger.warn({ message: message.slice(0, 200) }, 'dropping malformed event');
      return;
    }
    registry.dispatch(event);
  });

  let firstSubscribe = true;
  const subscribed = subscriber.subscribe(channel).then(() => undefined);
  subscribed.catch(() => undefined);
  subscriber.on('ready', () => {
    // The first 'ready' precedes our own SUBSCRIBE; later ones are reconnects. ioredis has
    // re-sent SUBSCRIBE (autoResubscribe) but not seen its reply yet; subscribing again is
    // idempotent and tells us when the server has really registered the channel.
    if (firstSubscribe) {
      firstSubscribe = false;
      return;
    }
    subscriber.subscribe(channel).then(
      () => {
        logger.info({ channel }, 'redis event bus resubscribed');
        options.onResubscribed?.();
      },
      (err: unknown) => logger.warn({ err, channel }, 'redis event bus resubscribe failed'),
    );
  });

  function waitForPublisher(): Promise<void> {
    if (publisher.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        publisher.off('ready', onReady);
        reject(new Error(`redis event bus: not connected after ${publishTimeoutMs} ms`));
      }, publishTimeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      publisher.once('ready', onReady);
    });
  }

  async function publish(event: DomainEvent | TwitchChangedEvent): Promise<void> {
    if (closed) throw new Error('event bus is closed');
    await waitForPublisher();
    await publisher.publish(channel, JSON.stringify(event));
  }

  return {
    publish,
    publishTwitch: publish,
    subscribe: (handler) => registry.add(handler),
    subscribeTwitch: (handler) => registry.addTwitch(handler),
    ready: () => subscribed,
    async close() {
      if (closed) return;
      closed = true;
      registry.clear();
      // QUIT on a connection that is down would wait in the offline queue for a reconnect.
      await Promise.allSettled(
        [publisher, subscriber].map((conn) => (conn.status === 'ready' ? conn.quit() : undefined)),
      );
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
