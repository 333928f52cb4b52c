/**
 * Isolation helpers for integration tests that share one Postgres and one Redis with other
 * test files (and other engineers' suites) running at the same time.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';

export const POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A name safe as a Postgres identifier, a Redis key prefix and a BullMQ queue name:
 * lower case letters, digits and underscores, starting with a letter, at most 63 bytes.
 */
export function uniqueName(label: string): string {
  const clean = label.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '').slice(0, 30);
  return `t_${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  name: string;
  connectionString: string;
  /** Terminates remaining sessions and drops the database. */
  drop(): Promise<void>;
}

/** Creates an empty, uniquely named database (not migrated). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = uniqueName(label);
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    connectionString: url.toString(),
    drop: () =>
      withAdmin(async (client) => {
        // FORCE terminates sessions a test forgot to close, so one leak does not leave litter.
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

/** Runs `fn` with a short-lived superuser connection to the maintenance database. */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, application_name: 'test-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestRedisPrefix {
  /** Use as a key prefix, channel name or BullMQ prefix; unique per call. */
  prefix: string;
  /** Deletes every key under the prefix. */
  cleanup(): Promise<void>;
}

/** A Redis key prefix unique to the caller, with cleanup of whatever was written under it. */
export function createRedisPrefix(label: string): TestRedisPrefix {
  const prefix = uniqueName(label);
  return {
    prefix,
    cleanup: async () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
