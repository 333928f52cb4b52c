/**
 * Transactions whose statements do not wait for each other's answers (node-postgres pipeline
 * mode, on for every pool in `createDb`): BEGIN leaves with the first statements, and statements
 * that do not need each other's results leave together. Each round trip on a busy process also
 * waits for its event loop to read the answer; in a pledge storm that wait, not Postgres, was
 * most of a batch's time.
 *
 * Statements run in the order `execute` is called (node-postgres writes each one at once and
 * answers them in order), whether or not the caller awaited the one before. Repositories call
 * `execute` before any `await` of their own, so calling them in order sends in order.
 */
import type { SQL } from 'drizzle-orm';
import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';

export type SqlRow = Record<string, unknown>;

/** What a repository needs to run a statement: drizzle's databases and transactions, and {@link inPipeline}'s. */
export interface SqlRunner {
  execute(query: SQL): PromiseLike<{ rows: SqlRow[] }>;
}

const dialect = new PgDialect();

/**
 * Sends `query` now. Drizzle's statements start only when something awaits them, so two of them
 * created in order can start out of order; this starts each when it is created.
 */
export function sendNow(tx: SqlRunner, query: SQL): Promise<{ rows: SqlRow[] }> {
  return new Promise((resolve, reject) => {
    tx.execute(query).then(resolve, reject);
  });
}

/**
 * Runs `fn` in a transaction on one pooled connection: BEGIN is sent before `fn` starts (its
 * first statements travel with it), COMMIT once `fn` has resolved, so everything `fn` checks in
 * the results is checked before anything commits. When `fn` or a statement fails, the
 * transaction is rolled back. `fn` must await (or hand back) every statement it sends: one
 * still running when it returns would be committed unchecked.
 */
export async function inPipeline<T>(pool: pg.Pool, fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const begun = client.query('BEGIN');
  // Its failure also fails every statement behind it; awaited below, after `fn`'s own.
  begun.catch(() => undefined);
  const tx: SqlRunner = {
    execute(query) {
      const { sql, params } = dialect.sqlToQuery(query);
      return client.query<SqlRow>(sql, params);
    },
  };
  try {
    const value = await fn(tx);
    await begun;
    const ended = await client.query('COMMIT');
    // COMMIT in a transaction aborted by a statement nobody awaited answers ROLLBACK, not an error.
    if (ended.command !== 'COMMIT') throw new Error(`transaction ended with ${ended.command}`);
    client.release();
    return value;
  } catch (err) {
    await client.query('ROLLBACK').then(
      () => client.release(),
      (rollbackErr: unknown) => client.release(rollbackErr instanceof Error ? rollbackErr : true),
    );
    throw err;
  }
}

/**
 * A raw row of `table` (all columns, as `SELECT *` returns them) as drizzle's select would give
 * it: property names and driver-value mapping from the table definition.
 */
export function tableRow<TTable extends Table>(table: TTable, raw: SqlRow): InferSelectModel<TTable> {
  const out: SqlRow = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as InferSelectModel<TTable>;
}
