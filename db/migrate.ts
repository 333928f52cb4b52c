import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { DbHandle } from './client.js';
import { MIGRATIONS_FOLDER, migrationsFolderUpTo, schemaPosition } from './schema-version.js';

// Any fixed number shared by every process of this app; serialises concurrent start-ups.
const MIGRATION_LOCK = 7_041_977;

/**
 * Applies pending migrations under an advisory lock so several processes may start at once.
 * A database migrated by a newer build is refused (SchemaTooNewError) before anything is
 * written: this build's code would misread a schema it does not know.
 */
export async function runMigrations(handle: DbHandle): Promise<void> {
  await migrateWithin(handle, MIGRATIONS_FOLDER);
}

/** Applies the first `count` known migrations only (restores load a backup at its own schema). */
export async function runMigrationsUpTo(handle: DbHandle, count: number): Promise<void> {
  const staged = migrationsFolderUpTo(count);
  try {
    await migrateWithin(handle, staged.folder);
  } finally {
    staged.remove();
  }
}

async function migrateWithin(handle: DbHandle, migrationsFolder: string): Promise<void> {
  const client = await handle.pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await schemaPosition(client);
    await migrate(handle.db, { migrationsFolder });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
