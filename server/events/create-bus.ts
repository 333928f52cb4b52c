import type pg from 'pg';
import type { BusLogger, ReadyEventBus } from './memory-bus.js';
import { createPgEventBus } from './pg-bus.js';
import { createRedisEventBus } from './redis-bus.js';

export type { BusLogger, ReadyEventBus } from './memory-bus.js';

export interface CreateEventBusOptions {
  /** When set, events travel over Redis pub/sub (production, several instances). */
  redisUrl?: string | undefined;
  /** Otherwise over Postgres LISTEN/NOTIFY on this database. */
  pool: pg.Pool;
  connectionString: string;
  logger: BusLogger;
  /** See the transport-specific options; events published while disconnected are lost. */
  onResubscribed?: () => void;
}

/** Picks the event transport: Redis when configured, Postgres otherwise. */
export function createEventBus(options: CreateEventBusOptions): ReadyEventBus & { kind: 'redis' | 'postgres' } {
  const { redisUrl, pool, connectionString, logger, onResubscribed } = options;
  if (redisUrl !== undefined && redisUrl !== '') {
    return { kind: 'redis', ...createRedisEventBus({ url: redisUrl, logger, onResubscribed }) };
  }
  return { kind: 'postgres', ...createPgEventBus({ pool, connectionString, logger, onResubscribed }) };
}
