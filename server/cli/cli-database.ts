/**
 * The database a maintenance command (backup, restore, import) works on: DATABASE_URL when set,
 * otherwise the embedded Postgres of `npm start` in the data directory — the running one when the
 * server is up, or started for the duration of the command when it is not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDb, type DbHandle } from '../../db/client.js';
import { startEmbeddedPostgres } from '../../db/embedded.js';
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

/** The port of a live embedded postmaster in `databaseDir`, from its pid file; undefined when none runs. */
function runningEmbeddedPort(databaseDir: string): number | undefined {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but another user's (postgres runs as `postgres` when started by root).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
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
  const databaseDir = path.resolve(config.dataDir, 'postgres');
  const port = runningEmbeddedPort(databaseDir);
  if (port !== undefined) {
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/mission_link`;
    const handle = createDb(url, { max, applicationName: options.applicationName });
    return { handle, url, where: `the running embedded database in ${databaseDir}`, close: () => handle.close() };
  }
  if (!options.createEmbedded && !fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    throw new UsageError(
      `No database found: DATABASE_URL is not set and ${databaseDir} holds no embedded database. ` +
        'Run the command from the folder where you run `npm start` (or set MISSION_LINK_DATA_DIR), or set DATABASE_URL.',
    );
  }
  options.log?.(`Starting the embedded database in ${databaseDir} for this command`);
  const embedded = await startEmbeddedPostgres(config.dataDir, () => undefined);
  const handle = createDb(embedded.url, { max, applicationName: options.applicationName });
  return {
    handle,
    url: embedded.url,
    where: `the embedded database in ${databaseDir}`,
    async close() {
      await handle.close().catch(() => undefined);
      await embedded.stop();
    },
  };
}
