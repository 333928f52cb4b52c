/**
 * Applies pending migrations to the database named by DATABASE_URL.
 *
 *   DATABASE_URL=postgres://user@host:5432/db npm run db:migrate
 *
 * Safe to run repeatedly and concurrently (migrations run under an advisory lock).
 * Exits 0 when the schema is current, 1 with the error otherwise. The servers also migrate at
 * start-up; this script is for deployments that migrate as a separate step.
 */
import { ConfigError, loadConfig } from '../server/config.js';
import { createDb } from './client.js';
import { runMigrations } from './migrate.js';

class UsageError extends Error {}

/** Drizzle wraps driver errors ("Failed query: …"); the cause says what actually went wrong. */
function describe(err: unknown): string {
  if (err instanceof UsageError || err instanceof ConfigError) return err.message;
  if (err instanceof AggregateError && err.errors.length > 0) return describe(err.errors[0]);
  if (err instanceof Error) return err.cause instanceof Error ? err.cause.message : err.message || err.name;
  return String(err);
}

async function run(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    throw new UsageError(
      'DATABASE_URL is not set. Set it to the Postgres database to migrate, e.g. ' +
        'DATABASE_URL=postgres://user@host:5432/mission_link npm run db:migrate ' +
        '(the embedded database used by `npm start` is migrated automatically at start-up).',
    );
  }
  // runMigrations holds one connection for its advisory lock while drizzle migrates on another.
  const handle = createDb(config.databaseUrl, { max: 2, applicationName: 'mission-link-migrate' });
  try {
    await runMigrations(handle);
  } finally {
    await handle.close().catch(() => undefined);
  }
  process.stdout.write('Migrations applied; the schema is up to date.\n');
}

run().catch((err: unknown) => {
  process.stderr.write(`db:migrate failed: ${describe(err)}\n`);
  process.exitCode = 1;
});
