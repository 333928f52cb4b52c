import pg from 'pg';
import type { DomainEvent, TwitchChangedEvent } from './types.js';
import { createHandlerRegistry, isDomainEvent, type BusLogger, type ReadyEventBus } from './memory-bus.js';

export interface PgEventBusOptions {
  /** Used for NOTIFY and for spilled payloads. */
  pool: pg.Pool;
  /** Used for the dedicated LISTEN connection, which must not be a pooled one. */
  connectionString: string;
  /** A Postgres identifier: letters, digits, underscores. */
  channel?: string;
  logger: BusLogger;
  /** Called after the LISTEN connection was re-established; events in the gap are lost. */
  onResubscribed?: () => void;
  /** `application_name` of the LISTEN connection, to find it in `pg_stat_activity`. */
  applicationName?: string;
  /** Reconnect backoff bounds in ms (default 100 → 5000). */
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

/**
 * NOTIFY payloads must be shorter than 8000 bytes. Events above this threshold are stored in
 * `event_payloads` and the notification carries only the row id. Mission texts are short, so
 * this is rare, but a payload limit that throws in production would be worse than a lookup.
 */
const MAX_INLINE_BYTES = 7_000;
/** Spilled rows only need to live until every listener has fetched them. */
const SPILL_RETENTION = '10 minutes';
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface SpillRef {
  ref: string;
}

/**
 * Cross-process events over Postgres LISTEN/NOTIFY, for deployments without Redis.
 *
 * Publishes are serialised per instance so events reach listeners in publish order even when
 * the caller does not await each one (the pool would otherwise race them on different
 * connections). Listeners dispatch in notification order, including spilled payloads.
 * Delivery is at-most-once: a listener that was disconnected misses what was sent meanwhile.
 */
export function createPgEventBus(options: PgEventBusOptions): ReadyEventBus {
  const { pool, logger } = options;
  const channel = options.channel ?? 'mission_link_events';
  if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid LISTEN channel name "${channel}"`);
  const minDelay = options.minReconnectDelayMs ?? 100;
  const maxDelay = options.maxReconnectDelayMs ?? 5_000;
  const registry = createHandlerRegistry(logger);

  let closed = false;
  let client: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let attempts = 0;
  let everListened = false;
  let publishChain: Promise<unknown> = Promise.resolve();
  let receiveChain: Promise<unknown> = Promise.resolve();
  let spillTable: Promise<void> | undefined;

  function ensureSpillTable(): Promise<void> {
    spillTable ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS event_payloads (
           id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
      )
      .then(
        () => undefined,
        (err: unknown) => {
          // Two processes racing CREATE TABLE IF NOT EXISTS can hit a unique violation on the catalog.
          if ((err as { code?: string }).code === '23505') return;
          spillTable = undefined;
          throw err;
        },
      );
    return spillTable;
  }

  async function send(event: DomainEvent | TwitchChangedEvent): Promise<void> {
    let payload = JSON.stringify(event);
    if (Buffer.byteLength(payload) > MAX_INLINE_BYTES) {
      await ensureSpillTable();
      const { rows } = await pool.query<{ id: string }>(
        `WITH gc AS (DELETE FROM event_payloads WHERE created_at < now() - $2::interval)
         INSERT INTO event_payloads (payload) VALUES ($1::jsonb) RETURNING id::text`,
        [payload, SPILL_RETENTION],
      );
      payload = JSON.stringify({ ref: rows[0]!.id } satisfies SpillRef);
    }
    await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  async function decode(payload: string): Promise<unknown> {
    const parsed: unknown = JSON.parse(payload);
    if (typeof parsed === 'object' && parsed !== null && 'ref' in parsed && !('type' in parsed)) {
      const { rows } = await pool.query<{ payload: unknown }>('SELECT payload FROM event_payloads WHERE id = $1', [
        (parsed as SpillRef).ref,
      ]);
      if (rows[0] === undefined) throw new Error(`spilled event ${(parsed as SpillRef).ref} is gone`);
      return rows[0].payload;
    }
    return parsed;
  }

  function receive(payload: string): void {
    // Chained so a spilled event's lookup cannot let later, inline events overtake it.
    receiveChain = receiveChain.then(async () => {
      try {
        const event = await decode(payload);
        if (closed) return;
        if (isDomainEvent(event)) registry.dispatch(event);
        else logger.warn({ payload: payload.slice(0, 200) }, 'dropping malformed event');
      } catch (err) {
        logger.warn({ err }, 'dropping undecodable event');
      }
    });
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== undefined) return;
    const delay = Math.min(maxDelay, minDelay * 2 ** Math.min(attempts, 16));
    attempts += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void listen().catch(() => undefined);
    }, delay);
  }

  async function listen(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName ?? 'mission-link:events',
      keepAlive: true,
    });
    client = next;
    // A dead LISTEN connection surfaces as 'error' and/or 'end'; either means reconnect.
    const lost = (err?: Error): void => {
      if (client !== next) return;
      client = undefined;
      next.removeAllListeners('notification');
      next.end().catch(() => undefined);
      if (closed) return;
      logger.warn({ err, channel }, 'event bus LISTEN connection lost; reconnecting');
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) receive(msg.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch (err) {
      lost(err as Error);
      throw err;
    }
    if (closed) {
      await next.end().catch(() => undefined);
      return;
    }
    attempts = 0;
    if (everListened) {
      logger.info({ channel }, 'event bus LISTEN re-established');
      options.onResubscribed?.();
    }
    everListened = true;
  }

  const first = listen();
  first.catch(() => undefined);

  const publish = (event: DomainEvent | TwitchChangedEvent): Promise<void> => {
    if (closed) return Promise.reject(new Error('event bus is closed'));
    const result = publishChain.then(() => send(event));
    publishChain = result.catch(() => undefined);
    return result;
  };

  return {
    publish,
    publishTwitch: publish,
    subscribe: (handler) => registry.add(handler),
    subscribeTwitch: (handler) => registry.addTwitch(handler),
    ready: () => first,
    async close() {
      if (closed) return;
      closed = true;
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer);
      registry.clear();
      const current = client;
      client = undefined;
      await publishChain;
      await current?.end().catch(() => undefined);
    },
  };
}
