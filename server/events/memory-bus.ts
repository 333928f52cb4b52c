import type { DomainEvent, EventBus, TwitchChangedEvent, TwitchEventChannel } from './types.js';

/** The slice of a pino logger the buses use; any pino `Logger` satisfies it. */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** An {@link EventBus} whose transport can report when it is subscribed. */
export interface ReadyEventBus extends EventBus, TwitchEventChannel {
  /**
   * Resolves once this instance receives events from the transport, so events published
   * afterwards (by any instance) reach its subscribers. Redis: waits as long as Redis is
   * unreachable. Postgres: rejects if the first connection attempt fails (reconnection goes on
   * in the background, and `onResubscribed` reports success).
   */
  ready(): Promise<void>;
}

type Handler = (event: DomainEvent) => void;

/** The local fan-out every bus shares: a handler set where one failing handler cannot starve the rest. */
export interface HandlerRegistry {
  add(handler: Handler): () => void;
  addTwitch(handler: (event: TwitchChangedEvent) => void): () => void;
  dispatch(event: DomainEvent | TwitchChangedEvent): void;
  clear(): void;
}

export function createHandlerRegistry(logger?: BusLogger): HandlerRegistry {
  // Wrapped per subscription so subscribing the same function twice yields two independent subscriptions.
  const handlers = new Set<{ handler: Handler }>();
  const twitchHandlers = new Set<{ handler: (event: TwitchChangedEvent) => void }>();
  return {
    add(handler) {
      const entry = { handler };
      handlers.add(entry);
      return () => {
        handlers.delete(entry);
      };
    },
    addTwitch(handler) {
      const entry = { handler };
      twitchHandlers.add(entry);
      return () => {
        twitchHandlers.delete(entry);
      };
    },
    dispatch(event) {
      if (event.type === 'twitch') {
        for (const { handler } of [...twitchHandlers]) {
          try {
            handler(event);
          } catch (err) {
            logger?.error({ err, eventType: event.type }, 'event handler threw');
          }
        }
        return;
      }
      for (const { handler } of [...handlers]) {
        try {
          handler(event);
        } catch (err) {
          logger?.error({ err, eventType: event.type, channel: event.channel }, 'event handler threw');
        }
      }
    },
    clear() {
      handlers.clear();
      twitchHandlers.clear();
    },
  };
}

/** A cheap structural check of data arriving from another process: drop what cannot be an event. */
export function isDomainEvent(value: unknown): value is DomainEvent | TwitchChangedEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    (v.type === 'mission' || v.type === 'pledge' || v.type === 'resolved' || v.type === 'channel' || v.type === 'twitch') &&
    typeof v.channel === 'string' &&
    typeof v.at === 'string'
  );
}

/**
 * An in-process bus for unit tests and single-process tools. Delivery happens on a later
 * microtask, never inside `publish`, so publishers see the same asynchrony as with a broker.
 * Events published after `close()` are dropped.
 */
export function createMemoryEventBus(options: { logger?: BusLogger } = {}): ReadyEventBus {
  const registry = createHandlerRegistry(options.logger);
  let closed = false;
  const publish = (event: DomainEvent | TwitchChangedEvent): Promise<void> => {
    if (closed) return Promise.reject(new Error('event bus is closed'));
    // Clone so a subscriber cannot mutate what the publisher (or another subscriber) holds,
    // matching the serialisation a real transport does.
    const copy = structuredClone(event);
    queueMicrotask(() => {
      if (!closed) registry.dispatch(copy);
    });
    return Promise.resolve();
  };
  return {
    publish,
    publishTwitch: publish,
    subscribe: (handler) => registry.add(handler),
    subscribeTwitch: (handler) => registry.addTwitch(handler),
    ready: () => Promise.resolve(),
    close() {
      closed = true;
      registry.clear();
      return Promise.resolve();
    },
  };
}
