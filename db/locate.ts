/**
 * The database a command-line tool works on, found the way `npm start` finds it: DATABASE_URL
 * when set, otherwise the embedded database of the data directory (the running server's, or one
 * started for the duration of the command). Every CLI opens its database through this.
 */
import { createDb, type DbHandle } from './client.js';
import { openEmbeddedPostgres } from './embedded.js';
import { runMigrations } from './migrate.js';

export interface LocatedDatabase extends DbHandle {
  url: string;
  /** How it was found, for messages: `DATABASE_URL`, `embedded (running)`, `embedded (started for this command)`. */
  source: string;
}

/** Where the database is, as the server's configuration says (passed in: db/ does not read it). */
export interface DatabaseSettings {
  /** DATABASE_URL, or undefined for the embedded database. */
  databaseUrl: string | undefined;
  /** The embedded database's data directory. */
  dataDir: string;
  /** True when the data directory is the default one, not set by the operator. */
  dataDirIsDefault: boolean;
}

export interface LocateOptions {
  applicationName: string;
  /** Pool size; a CLI needs 1 (2 to migrate). */
  max?: number;
  /** Progress lines (starting the embedded server); a CLI sends them to stderr, keeping stdout for results. */
  log?: (line: string) => void;
}

export async function locateDatabase(
  config: DatabaseSettings,
  options: LocateOptions,
): Promise<LocatedDatabase> {
  const max = Math.max(options.max ?? 1, 2);
  if (config.databaseUrl) {
    const handle = createDb(config.databaseUrl, { max: options.max ?? 1, applicationName: options.applicationName });
    return { ...handle, url: config.databaseUrl, source: 'DATABASE_URL' };
  }
  const embedded = await openEmbeddedPostgres(config.dataDir, {
    log: options.log ?? (() => undefined),
    defaultDataDir: config.dataDirIsDefault,
  });
  const handle = createDb(embedded.url, { max, applicationName: options.applicationName });
  try {
    // A tool may run before the first `npm start`: the schema is made here as the server would.
    await runMigrations(handle);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await embedded.stop().catch(() => undefined);
    throw err;
  }
  return {
    ...handle,
    url: embedded.url,
    source: embedded.started ? 'embedded (started for this command)' : 'embedded (running)',
    async close() {
      await handle.close();
      await embedded.stop();
    },
  };
}
