/**
 * Transactions whose statements do not wait for each other's answers (node-postgres pipeline
 * mode, on for every pool in `createDb`): BEGIN leaves with the first statements, COMMIT can
 * leave with the last, and statements that do not need each other's results leave together.
 * Each round trip on a busy process also waits for its event loop to read the answer; in a
 * pledge storm that wait, not Postgres, was most of a batch's time.
 *
 * Statements run in the order `execute` is called (node-postgres writes each one at once and
 * answers them in order), whether or not the caller awaited the one before. Repositories call
 * `execute` before any `await` of their own, so calling them in order sends in order.
 */
import { getTableColumns, type InferSelectModel, type SQL, type Table } from 'drizzle-orm';
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

export interface Pipeline extends SqlRunner {
  /**
   * Sends COMMIT now, behind every statement sent so far. Every check that must stop the commit
   * has to be in those statements (see migration 0009's `ml_check`): a check of their results
   * made after this can no longer stop it. A statement sent afterwards fails the transaction.
   */
  commit(): void;
}

/**
 * Runs `fn` in a transaction on one pooled connection. BEGIN is sent before `fn` starts, so its
 * first statements travel with it; COMMIT when `fn` calls `commit()`, or once `fn` has resolved.
 * When `fn` or a statement fails, the transaction is rolled back (a COMMIT sent behind a failed
 * statement rolls back by itself). `fn` must await every statement it sends: one that fails
 * unawaited still fails the transaction, but one that succeeds is committed unchecked.
 */
export async function inPipeline<T>(pool: pg.Pool, fn: (tx: Pipeline) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // BEGIN's and COMMIT's failures also reach the statements behind them or this function's own
  // await; the catch keeps them from being unhandled while `fn` fails first.
  const quiet = <R>(p: Promise<R>): Promise<R> => {
    p.catch(() => undefined);
    return p;
  };
  const begun = quiet(client.query('BEGIN'));
  let committing: Promise<pg.QueryResult> | null = null;
  let late = false;
  const tx: Pipeline = {
    execute(query) {
      if (committing) {
        late = true;
        return Promise.reject(new Error('a statement was sent after COMMIT'));
      }
      const { sql, params } = dialect.sqlToQuery(query);
      return client.query<SqlRow>(sql, params);
    },
    commit() {
      committing ??= quiet(client.query('COMMIT'));
    },
  };
  try {
    const value = await fn(tx);
    await begun;
    tx.commit();
    const ended = await committing!;
    if (late) throw new Error('a statement was sent after COMMIT');
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
