/**
 * Scheduled backups: with MISSION_LINK_BACKUP_DIR set, a repeatable job writes a backup there every
 * MISSION_LINK_BACKUP_EVERY (default 24h) and keeps the newest MISSION_LINK_BACKUP_KEEP (default 7).
 * Same file as `npm run backup`; a failed run leaves no partial file and the older backups in place.
 */
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createBackup, defaultBackupName } from '../backup/create-backup.js';
import type { JobBackend } from './backend.js';
import type { Gauge } from 'prom-client';

export const BACKUP_QUEUE = 'scheduled-backup';
const NAME = /^mission-link-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.backup\.gz$/;

export interface BackupJobDeps {
  pool: pg.Pool;
  dir: string;
  keep: number;
  appVersion: string;
  logger: Logger;
  now: () => Date;
  lastSuccess?: Pick<Gauge<never>, 'set'>;
  /**
   * A run this soon after the newest backup in `dir` writes nothing: the scheduler runs the job at
   * every start, and a process restarting in a loop must not rotate the good backups away.
   */
  minIntervalMs?: number;
}

/** When a scheduled backup's name says it was taken. */
const takenAt = (name: string) => Date.parse(name.slice('mission-link-'.length, -'.backup.gz'.length).replace(/T(\d{2})-(\d{2})-(\d{2})Z$/, 'T$1:$2:$3Z'));

/** Deletes all but the newest `keep` scheduled backups in `dir` (names sort by time); returns the deleted names. */
export function pruneBackups(dir: string, keep: number): string[] {
  const files = fs.readdirSync(dir).filter((f) => NAME.test(f)).sort();
  const doomed = files.slice(0, Math.max(0, files.length - keep));
  for (const f of doomed) fs.rmSync(path.join(dir, f));
  return doomed;
}

export function createBackupRunner(deps: BackupJobDeps) {
  const log = deps.logger.child({ component: 'scheduled-backup' });
  return {
    async run(): Promise<{ file: string; bytes: number; pruned: string[] } | { skipped: string }> {
      fs.mkdirSync(deps.dir, { recursive: true });
      const newest = fs.readdirSync(deps.dir).filter((f) => NAME.test(f)).sort().at(-1);
      if (newest && deps.minIntervalMs && deps.now().getTime() - takenAt(newest) < deps.minIntervalMs) {
        log.info({ newest }, 'scheduled backup skipped: a recent one exists');
        return { skipped: newest };
      }
      const file = path.join(deps.dir, defaultBackupName(deps.now()));
      // A second run within the same second (a retry) already has its file.
      if (fs.existsSync(file)) return { file, bytes: fs.statSync(file).size, pruned: [] };
      const summary = await createBackup(deps.pool, file, { appVersion: deps.appVersion });
      const pruned = pruneBackups(deps.dir, deps.keep);
      deps.lastSuccess?.set(deps.now().getTime() / 1000);
      log.info({ file, bytes: summary.bytes, rows: Object.values(summary.rows).reduce((a, b) => a + b, 0), pruned: pruned.length }, 'scheduled backup written');
      return { file, bytes: summary.bytes, pruned };
    },
  };
}

export async function startBackupJob(deps: BackupJobDeps & { backend: JobBackend; everyMs: number }) {
  const runner = createBackupRunner({ minIntervalMs: deps.everyMs / 2, ...deps });
  const queue = deps.backend.createQueue<Record<string, never>>(BACKUP_QUEUE);
  const worker = deps.backend.createWorker<Record<string, never>>(BACKUP_QUEUE, () => runner.run(), { concurrency: 1 });
  worker.on('error', (err) => deps.logger.warn({ err }, 'backup worker error'));
  worker.on('failed', (_job, err) => deps.logger.error({ err }, 'scheduled backup failed'));
  await queue.upsertJobScheduler('scheduled-backup', { every: deps.everyMs }, { name: 'backup', data: {} });
  return { runner, close: () => worker.close() };
}
