/**
 * Checks the ledger invariants of every channel in the database: DATABASE_URL, or else the embedded one.
 *
 *   DATABASE_URL=postgres://user@host:5432/db npm run ledger:verify
 *
 * Prints one line per channel ("ok" or the number of violations, followed by each message).
 * Exit codes: 0 every channel is consistent, 1 at least one violation, 2 the database could
 * not be reached or queried (or DATABASE_URL is invalid).
 */
import { describeError, openDatabase } from './cli-support.js';
import { auditAll, type AuditReport } from '../services/ledger-audit.js';

const EXIT_VIOLATIONS = 1;
const EXIT_UNREACHABLE = 2;

/** The report lines for one channel: a summary, then one indented line per violation. */
function formatReport(login: string, report: AuditReport): string[] {
  if (report.ok) return [`${login}: ok`];
  const n = report.violations.length;
  return [
    `${login}: ${n} violation${n === 1 ? '' : 's'}`,
    ...report.violations.map((v) => `  [invariant ${v.invariant}] ${v.message}`),
  ];
}

async function run(out: (line: string) => void): Promise<number> {
  const handle = await openDatabase('mission-link-ledger-verify');
  try {
    const reports = await auditAll(handle.db);
    let failing = 0;
    for (const [login, report] of reports) {
      for (const line of formatReport(login, report)) out(line);
      if (!report.ok) failing += 1;
    }
    out(
      reports.size === 0
        ? 'No channels to verify.'
        : failing === 0
          ? reports.size === 1
            ? 'The channel is consistent.'
            : `All ${reports.size} channels consistent.`
          : `${failing} of ${reports.size} channel${reports.size === 1 ? '' : 's'} inconsistent.`,
    );
    return failing === 0 ? 0 : EXIT_VIOLATIONS;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

run((line) => process.stdout.write(`${line}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ledger:verify could not run: ${describeError(err)}\n`);
    process.exitCode = EXIT_UNREACHABLE;
  },
);
