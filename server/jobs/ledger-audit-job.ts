/**
 * The scheduled ledger audit: a repeatable job runs the invariant checks of every channel, exports
 * the number of violations as `mission_link_ledger_violations` and logs each violation once (again
 * only after it has cleared and come back), so an alert fires before a viewer notices a wrong balance.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { AppMetrics } from '../ports/metrics.js';
import { auditAll } from '../services/ledger-audit.js';
import type { JobBackend } from './backend.js';

export const LEDGER_AUDIT_QUEUE = 'ledger-audit';
export const LEDGER_AUDIT_EVERY_MS = 5 * 60_000;

export interface LedgerAuditDeps {
  db: Database;
  logger: Logger;
  metrics: Pick<AppMetrics, 'ledgerViolations' | 'ledgerAuditLastRun'>;
  now: () => Date;
}

export function createLedgerAuditRunner(deps: LedgerAuditDeps) {
  const log = deps.logger.child({ component: 'ledger-audit' });
  let reported = new Set<string>();
  return {
    /** Audits every channel; returns the number of violations. */
    async run(): Promise<number> {
      const reports = await auditAll(deps.db);
      const current = new Set<string>();
      for (const [channel, report] of reports) {
        for (const v of report.violations) {
          const key = `${channel}\u0000${v.invariant}\u0000${v.message}`;
          current.add(key);
          if (!reported.has(key)) log.error({ channel, invariant: v.invariant, violation: v.message }, 'ledger invariant violated');
        }
      }
      if (reported.size > 0 && current.size === 0) log.info('ledger audit clean again');
      reported = current;
      deps.metrics.ledgerViolations.set(current.size);
      deps.metrics.ledgerAuditLastRun.set(deps.now().getTime() / 1000);
      return current.size;
    },
  };
}

/** Starts the worker and its job scheduler (one id: several workers run it once per interval; BullMQ runs the first at once). */
export async function startLedgerAuditJob(deps: LedgerAuditDeps & { backend: JobBackend; everyMs?: number }) {
  const runner = createLedgerAuditRunner(deps);
  const queue = deps.backend.createQueue<Record<string, never>>(LEDGER_AUDIT_QUEUE);
  const worker = deps.backend.createWorker<Record<string, never>>(LEDGER_AUDIT_QUEUE, () => runner.run(), { concurrency: 1 });
  worker.on('error', (err) => deps.logger.warn({ err }, 'ledger audit worker error'));
  await queue.upsertJobScheduler('ledger-audit', { every: deps.everyMs ?? LEDGER_AUDIT_EVERY_MS }, { name: 'ledger-audit', data: {} });
  return { runner, close: () => worker.close() };
}
