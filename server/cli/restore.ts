/**
 * Restores a backup into an empty database, migrates it to this version's schema and audits the
 * ledger before saying done.
 *
 *   npm run restore -- <file>
 *
 * The target is DATABASE_URL, or else the embedded database of `npm start` (created in the data
 * directory when there is none yet: a new machine). A non-empty target, a truncated or altered
 * file, or one from a newer version is refused with one line and nothing written.
 * Exit 0 restored and consistent, 1 refused or failed, 3 restored but the audit found violations.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { restoreBackup } from '../backup/restore.js';
import { createChannelService } from '../services/channels.js';
import { openCliDatabase } from './cli-database.js';
import { failWith, UsageError } from './cli-support.js';

const USAGE = 'Usage: npm run restore -- <backup file>';
const EXIT_AUDIT_FAILED = 3;

async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const file = path.resolve(positionals[0]!);
  const database = await openCliDatabase({ applicationName: 'mission-link-restore', createEmbedded: true, log: out });
  try {
    const summary = await restoreBackup(database.handle, file, out);
    const channels = createChannelService(database.handle.db);
    let failing = 0;
    for (const channel of await channels.list()) {
      const report = summary.audit.get(channel.login);
      const t = await channels.totals(channel.id);
      const status = report?.ok === false ? `${report.violations.length} ledger violations` : 'ledger ok';
      if (report?.ok === false) failing += 1;
      out(`  ${channel.login}: ${status}; circulating ${t.circulating}, escrow ${t.escrow}, treasury ${t.treasury}, minted ${t.minted}`);
      for (const v of report?.violations ?? []) out(`    [invariant ${v.invariant}] ${v.message}`);
    }
    if (failing > 0) {
      out(`Restored into ${database.where}, but the ledger audit failed for ${failing} channel(s): keep the source until this is understood.`);
      return EXIT_AUDIT_FAILED;
    }
    out(`Restore complete into ${database.where}: ${summary.audit.size} channel(s), ledger audit clean.`);
    return 0;
  } finally {
    await database.close().catch(() => undefined);
  }
}

run(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  failWith('restore', USAGE),
);
