/** A fresh, migrated Postgres database per test file, dropped afterwards. */
import { createDb, type DbHandle } from '../../db/client.js';
import { runMigrations } from '../../db/migrate.js';
import { createTestDatabase as createEmptyDatabase } from './services.js';

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const empty = await createEmptyDatabase(label);
  const handle = createDb(empty.connectionString, { max: 20 });
  await runMigrations(handle);
  return {
    ...handle,
    url: empty.connectionString,
    name: empty.name,
    async drop() {
      await handle.close().catch(() => undefined);
      await empty.drop();
    },
  };
}

/**
 * The Postgres error a query was refused with (drizzle wraps it in `cause`), or undefined when the
 * query succeeded: for tests that the database itself refuses a write.
 */
export async function pgErrorOf(query: Promise<unknown>): Promise<{ code?: string; message?: string } | undefined> {
  return query.then(
    () => undefined,
    (err: unknown) => {
      const error = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
      const pg = error.cause?.code !== undefined ? error.cause : error;
      return { code: pg.code, message: pg.message };
    },
  );
}
