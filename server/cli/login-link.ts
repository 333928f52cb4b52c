/**
 * `npm run login-link`: prints a fresh single-use sign-in link (15 minutes) to the dashboard as
 * the instance admin, for a running or a stopped instance.
 *
 * With DATABASE_URL it uses that database. Without it, it finds the embedded database of
 * `npm start` in MISSION_LINK_DATA_DIR (default ./.data): the running server's (its port is in
 * Postgres's pid file), or, when the server is stopped, it starts the embedded Postgres just long
 * enough to store the link. `--end-sessions` first signs every browser out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb, type DbHandle } from '../../db/client.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded.js';
import { runMigrations } from '../../db/migrate.js';
import { loadConfig } from '../config.js';
import { createSessionService } from '../services/sessions.js';
import { printSignInLink } from '../sign-in-link.js';
import { failWith } from './cli-support.js';

const USAGE = `Usage: npm run login-link [-- --end-sessions]
  --end-sessions   first sign every browser out (every dashboard session is revoked)
  (DATABASE_URL, PUBLIC_URL and MISSION_LINK_DATA_DIR as for npm start)`;

/** The port of the embedded Postgres a running server uses, from its pid file (line 4), if it is alive. */
function runningEmbeddedPort(dataDir: string): number | null {
  const pidFile = path.resolve(dataDir, 'postgres', 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isSafeInteger(pid) || !Number.isSafeInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive, owned by another user (the server ran Postgres as `postgres`).
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { 'end-sessions': { type: 'boolean' } } });
  const config = loadConfig();
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    const port = runningEmbeddedPort(config.dataDir);
    if (port !== null) {
      url = `postgres://postgres:postgres@127.0.0.1:${port}/mission_link`;
    } else {
      process.stderr.write(`The server is not running; starting its embedded Postgres (${path.resolve(config.dataDir)}) for a moment…\n`);
      embedded = await startEmbeddedPostgres(config.dataDir, (msg) => process.stderr.write(`${msg}\n`));
      url = embedded.url;
    }
  }
  let handle: DbHandle | undefined;
  try {
    handle = createDb(url, { max: 2, applicationName: 'mission-link-login-link' });
    // A database `npm start` has never migrated gets its tables now, as start-up would (the
    // migration lock holds one connection while the migrator uses another).
    await runMigrations(handle);
    const sessions = createSessionService(handle.db);
    if (values['end-sessions']) process.stderr.write(`Signed out ${await sessions.revokeAll()} session(s).\n`);
    await printSignInLink(sessions, config.publicUrl);
    process.stderr.write('It works once, within 15 minutes, and signs the browser in as the instance admin.\n');
  } finally {
    await handle?.close();
    await embedded?.stop();
  }
}

main().catch(failWith('login-link', USAGE));
