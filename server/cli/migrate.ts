/**
 * Applies pending migrations to the database: DATABASE_URL, or else the embedded one of `npm start`.
 *
 *   DATABASE_URL=postgres://user@host:5432/db npm run db:migrate
 *
 * Safe to run repeatedly and concurrently (migrations run under an advisory lock).
 * Exits 0 when the schema is current, 1 with the error otherwise. The servers also migrate at
 * start-up; this script is for deployments that migrate as a separate step.
 */
import { describeError, openDatabase } from './cli-support.js';
import { runMigrations } from '../../db/migrate.js';

async function run(): Promise<void> {
  // runMigrations holds one connection for its advisory lock while drizzle migrates on another.
  const handle = await openDatabase('mission-link-migrate', 2);
  try {
    await runMigrations(handle);
  } finally {
    await handle.close().catch(() => undefined);
  }
  process.stdout.write('Migrations applied; the schema is up to date.\n');
}

run().catch((err: unknown) => {
  process.stderr.write(`db:migrate failed: ${describeError(err)}\n`);
  process.exitCode = 1;
});
