import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

/** `$client`: the pool, for transactions that pipeline their statements (db/pipeline.ts). */
export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };
/** A transaction handle; repositories accept `tx ?? db`. */
export type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
export type Executor = Database | Tx;

export interface DbHandle {
  pool: pg.Pool;
  db: Database;
  close(): Promise<void>;
}

// int8 (bigint) columns hold point amounts well below 2^53; COUNT/SUM arrive as strings otherwise.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

export function createDb(connectionString: string, options: { max?: number; applicationName?: string } = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'mission-link',
    connectionTimeoutMillis: 5_000,
    // Statements queued on one connection are written at once and answered in order (see
    // db/pipeline.ts); code that awaits each statement before the next runs as without it.
    pipeline: true,
  });
  // An idle client losing its server (Postgres restart) must not crash the process.
  pool.on('error', () => undefined);
  // pg-pool removes its listener while a client is checked out: a connection terminated between
  // two queries of a transaction (Postgres restart) would be an unhandled 'error' and kill the
  // process. The failure still reaches the caller through its next query.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = drizzle(pool, { schema });
  return { pool, db, close: () => pool.end() };
}
