/**
 * Brings viewers' points over from another bot's export.
 *
 *   npm run import-points -- <file.csv> --channel <login> [--columns login,points] [--dry-run]
 *   npm run import-points -- --channel <login>        (credits pending viewers seen since)
 *
 * Each viewer's balance is minted as one `import` transfer keyed on the file's content: importing
 * the same file twice has one effect. `--dry-run` prints what would happen and writes nothing.
 * The database is found as for `npm run backup`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { alreadyImported, applyImport, applyPendingImports, planImport, type LoginResolver } from '../import/points-import.js';
import { ImportFormatError, parsePointsFile } from '../import/parse-points.js';
import { createTwitchIntegration } from '../twitch/integration.js';
import type { Database } from '../../db/client.js';
import { openCliDatabase } from './cli-database.js';
import { failWith, UsageError } from './cli-support.js';
import { findChannelRow } from '../services/channels.js';
import { COMMAND_LINE_ORIGIN } from '../domain/activity-origin.js';

const USAGE = 'Usage: npm run import-points -- <file.csv> --channel <login> [--columns login,points] [--dry-run]';
const n = (x: number) => x.toLocaleString('en-US');
const HELIX_PAGE = 100;

/** Helix Get Users by login, 100 per call; null when no Twitch app is configured. */
function helixResolver(db: Database): LoginResolver | undefined {
  const config = loadConfig();
  const twitch = createTwitchIntegration({ config, db, logger: pino({ level: 'silent' }) });
  if (!twitch) return undefined;
  return async (logins) => {
    const found = new Map<string, { userId: string; login: string; displayName: string }>();
    for (let i = 0; i < logins.length; i += HELIX_PAGE) {
      for (const user of await twitch.api.users.getUsersByNames(logins.slice(i, i + HELIX_PAGE))) {
        found.set(user.name, { userId: user.id, login: user.name, displayName: user.displayName });
      }
    }
    return found;
  };
}

async function run(argv: string[], out: (line: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { channel: { type: 'string' }, columns: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  if (values.channel === undefined) throw new UsageError(`--channel is required\n${USAGE}`);
  if (positionals.length > 1) throw new UsageError(USAGE);
  const login = values.channel.trim().toLowerCase().replace(/^#/, '');
  const file = positionals[0];
  let text: string | undefined;
  if (file !== undefined) {
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    text = fs.readFileSync(file, 'utf8');
  }
  let parsed;
  try {
    parsed = text === undefined ? undefined : parsePointsFile(text, values.columns);
  } catch (err) {
    if (err instanceof ImportFormatError) throw new UsageError(err.message);
    throw err;
  }

  const database = await openCliDatabase({ applicationName: 'mission-link-import', log: out });
  try {
    const db = database.handle.db;
    const channel = await findChannelRow(db, login);
    if (!channel) throw new UsageError(`No channel "${login}" in ${database.where}. Create it first: npm run channels -- create ${login}`);
    if (!parsed || text === undefined) {
      const resolved = await applyPendingImports(db, channel.id, COMMAND_LINE_ORIGIN);
      out(`Credited ${n(resolved.credited)} pending viewers (${n(resolved.points)} points) of ${login}.`);
      return;
    }
    const sha = createHash('sha256').update(text).digest('hex');
    const resolver = helixResolver(db);
    const plan = await planImport(db, parsed.rows, resolver);
    const skipped = [...parsed.skipped, ...plan.duplicates].sort((a, b) => a.line - b.line);
    const total = [...plan.credit, ...plan.pending].reduce((a, v) => a + v.points, 0);
    if (!Number.isSafeInteger(total)) throw new UsageError('The file adds up to more points than can be counted exactly; split it.');
    const viewers = plan.credit.length + plan.pending.length;
    const done = await alreadyImported(db, channel.id, sha, plan.credit.map((v) => v.userId));

    out(`${values['dry-run'] ? 'Dry run: would import' : 'Importing'} ${n(viewers)} viewers, ${n(total)} points, into ${login} (file sha256 ${sha.slice(0, 12)}).`);
    out(`  matched by Twitch user id ${n(plan.byUserId)}, by a login seen in chat ${n(plan.byKnownLogin)}, through Twitch ${n(plan.byHelix)}; pending (login not known yet${resolver ? '' : ', Twitch not configured'}) ${n(plan.pending.length)}`);
    if (done.size > 0) out(`  ${n(done.size)} of them were already imported from this file and are left as they are`);
    if (parsed.ignoredColumns.length > 0) out(`  ignored columns: ${parsed.ignoredColumns.join(', ')}`);
    out(`Skipped ${n(skipped.length)} row${skipped.length === 1 ? '' : 's'}${skipped.length > 0 ? ':' : '.'}`);
    for (const s of skipped) out(`  line ${s.line}: ${s.reason}`);
    if (values['dry-run']) return;

    const outcome = await applyImport(db, channel.id, sha, plan, COMMAND_LINE_ORIGIN);
    out(`Imported: ${n(outcome.credited)} viewers credited (${n(outcome.creditedPoints)} points), ${n(outcome.alreadyImported)} already imported, ${n(outcome.pendingAdded)} kept pending (credited by the next \`npm run import-points -- --channel ${login}\` once they have chatted).`);
  } finally {
    await database.close().catch(() => undefined);
  }
}

run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).catch(failWith('import-points', USAGE));
