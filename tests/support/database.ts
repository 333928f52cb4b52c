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
