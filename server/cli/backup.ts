/**
 * Writes a consistent backup of the database while the service keeps running.
 *
 *   npm run backup [-- --out <file>] [--channel <login>]
 *
 * The database is DATABASE_URL, or else the embedded one of `npm start` (found in the data
 * directory, started for the command if the server is stopped). Exit 0 with the file written,
 * 1 with one line saying why not.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createBackup, defaultBackupName } from '../backup/create-backup.js';
import { appVersion } from '../app-version.js';
import { openCliDatabase } from './cli-database.js';
import { failWith, UsageError } from './cli-support.js';
import { isTwitchLogin } from '../domain/twitch-login.js';

const USAGE = 'Usage: npm run backup [-- --out <file>] [--channel <login>]';

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, channel: { type: 'string' } },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}"\n${USAGE}`);
  const channel = values.channel?.trim().toLowerCase().replace(/^#/, '');
  if (channel !== undefined && !isTwitchLogin(channel)) throw new UsageError(`--channel must be a Twitch login (got "${values.channel}")`);
  const file = path.resolve(values.out ?? defaultBackupName(new Date(), channel));
  const database = await openCliDatabase({ applicationName: 'mission-link-backup', log: out });
  try {
    const started = performance.now();
    const summary = await createBackup(database.handle.pool, file, { channel, appVersion: appVersion() });
    const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    out(`Backup written: ${summary.file}`);
    out(`  ${total} rows in ${Object.keys(summary.rows).length} tables${channel ? ` (channel ${channel})` : ''}, ${summary.bytes} bytes, ${seconds} s, schema at migration ${summary.migrations}`);
    out(`  from ${database.where}. Restore it with: npm run restore -- ${JSON.stringify(summary.file)}`);
  } finally {
    await database.close().catch(() => undefined);
  }
}

run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).catch(failWith('backup', USAGE));
