/**
 * The database a maintenance command (backup, restore, import) works on: DATABASE_URL when set,
 * otherwise the embedded Postgres of `npm start` in the data directory — the running one when the
 * server is up, or started for the duration of the command when it is not. The embedded server
 * is found and started by the same launcher `npm start` uses (db/embedded.ts), so the tools
 * follow its choices (the data directory, running as root). Unlike `openDatabase` in
 * cli-support.ts, nothing is migrated here: a restore migrates its target step by step itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDb, type DbHandle } from '../../db/client.js';
import { embeddedHome, openEmbeddedPostgres } from '../../db/embedded.js';
import { readPostmaster } from '../../db/embedded/postmaster.js';
import { loadConfig } from '../config.js';
import { UsageError } from './cli-support.js';

export interface CliDatabase {
  handle: DbHandle;
  url: string;
  /** Where the database is, for the tool's messages (never the password). */
  where: string;
  close(): Promise<void>;
}

export interface CliDatabaseOptions {
  applicationName: string;
  max?: number;
  /** Start a fresh embedded database when the data directory has none (restore on a new machine). */
  createEmbedded?: boolean;
  /** Progress lines, such as "starting the embedded database". */
  log?: (line: string) => void;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

/**
 * Opens the command's database. This is the one place a maintenance command decides which
 * database it talks to; keep the tools on it so they follow `npm start`'s choice.
 */
export async function openCliDatabase(options: CliDatabaseOptions): Promise<CliDatabase> {
  const config = loadConfig();
  const max = options.max ?? 2;
  if (config.databaseUrl) {
    const handle = createDb(config.databaseUrl, { max, applicationName: options.applicationName });
    return { handle, url: config.databaseUrl, where: redact(config.databaseUrl), close: () => handle.close() };
  }
  const databaseDir = path.join(embeddedHome(config.dataDir, config.dataDirIsDefault), 'postgres');
  if (!options.createEmbedded && !fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    throw new UsageError(
      `No database found: DATABASE_URL is not set and ${databaseDir} holds no embedded database. ` +
        'Run the command from the folder where you run `npm start` (or set MISSION_LINK_DATA_DIR), or set DATABASE_URL.',
    );
  }
  if (!readPostmaster(databaseDir)) options.log?.(`Starting the embedded database in ${databaseDir} for this command`);
  const embedded = await openEmbeddedPostgres(config.dataDir, { log: () => undefined, defaultDataDir: config.dataDirIsDefault });
  const handle = createDb(embedded.url, { max, applicationName: options.applicationName });
  return {
    handle,
    url: embedded.url,
    where: embedded.started ? `the embedded database in ${databaseDir}` : `the running embedded database in ${databaseDir}`,
    async close() {
      await handle.close().catch(() => undefined);
      // Stops only a server this command started; a running `npm start` keeps its own.
      await embedded.stop();
    },
  };
}
