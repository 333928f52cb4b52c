/**
 * Mission timers and settlement on BullMQ: the scheduler the services call and the workers that
 * run the jobs (start-up reconciliation, the rule of which timers must exist, is
 * `reconcileMissions` in server/services/reconcile.ts). Job ids are deterministic, processors
 * idempotent: a stale or repeated job finds nothing to do.
 */
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { settleMission, settlementOutcome, type BatchResult } from '../services/settlement.js';
import type { VerdictService } from '../services/verdicts.js';
import { rescheduleJob, type JobBackend } from './backend.js';
import type { MissionScheduler, TimerKind } from '../ports/scheduler.js';
import { settlementJobId, timerJobId } from './scheduler.js';

export const TIMER_QUEUE = 'mission-timers';
export const SETTLEMENT_QUEUE = 'mission-settlement';
const TIMER_KINDS: TimerKind[] = ['deadline', 'grace', 'pending'];

export interface TimerJob {
  kind: TimerKind;
  missionId: number;
}
export interface SettlementJob {
  missionId: number;
}

export interface MissionJobs extends MissionScheduler {
  close(): Promise<void>;
}

export function createMissionScheduler(backend: JobBackend, logger: Logger): MissionJobs {
  const timers = backend.createQueue<TimerJob>(TIMER_QUEUE);
  const settlement = backend.createQueue<SettlementJob>(SETTLEMENT_QUEUE);

  return {
    async schedule(kind, missionId, at) {
      const jobId = timerJobId(kind, missionId);
      const delay = Math.max(0, at.getTime() - Date.now());
      try {
        await rescheduleJob(timers, kind, { kind, missionId }, { jobId, delay });
      } catch (err) {
        // The job is running right now; it re-reads the mission and re-delays itself if early.
        logger.debug({ err, jobId }, 'timer busy; left to the running job');
      }
    },
    async cancelAll(missionId) {
      await Promise.all(TIMER_KINDS.map((kind) => timers.remove(timerJobId(kind, missionId)).catch(() => 0)));
    },
    async enqueueSettlement(missionId) {
      const jobId = settlementJobId(missionId);
      // A job that used up its attempts is kept for inspection, and an add under its id would be
      // ignored: the mission would stay unsettled through every restart. Settling is idempotent,
      // so a fresh job is safe; one waiting, delayed or running is left to finish.
      if ((await settlement.getJobState(jobId)) === 'failed') await settlement.remove(jobId);
      await settlement.add('settle', { missionId }, { jobId });
    },
    async close() {
      await Promise.allSettled([timers.close(), settlement.close()]);
    },
  };
}

export interface MissionWorkerDeps {
  backend: JobBackend;
  db: Database;
  verdicts: VerdictService;
  logger: Logger;
  now: () => Date;
  /** Test hook: runs after each committed settlement batch. */
  onSettlementBatch?: (missionId: number, batch: BatchResult) => Promise<void> | void;
  settlementBatchSize?: number;
  /** Settlement batches in flight at once (default `DEFAULT_CONCURRENCY`). */
  settlementConcurrency?: number;
  concurrency?: number;
  onJobLag?: (queue: string, seconds: number) => void;
  /** After a settlement job: `paid` or `refunded`, and its wall time. */
  onSettled?: (outcome: string, seconds: number) => void;
}

export function startMissionWorkers(deps: MissionWorkerDeps) {
  const lag = (queue: string, job: Job) => {
    const due = job.timestamp + (job.opts.delay ?? 0);
    deps.onJobLag?.(queue, Math.max(0, Date.now() - due) / 1000);
  };

  const timerWorker = deps.backend.createWorker<TimerJob>(
    TIMER_QUEUE,
    async (job, token) => {
      lag(TIMER_QUEUE, job);
      const result = await deps.verdicts.onTimer(job.data.kind, job.data.missionId);
      if (result.state === 'early') {
        // The deadline moved while this job waited: wait again instead of acting.
        await job.moveToDelayed(result.due.getTime(), token);
        throw new DelayedError();
      }
      return result.state;
    },
    { concurrency: deps.concurrency ?? 4 },
  );

  const settlementWorker = deps.backend.createWorker<SettlementJob>(
    SETTLEMENT_QUEUE,
    async (job) => {
      lag(SETTLEMENT_QUEUE, job);
      const started = Date.now();
      // No ANALYZE first: settlement's statements keep their index plans without statistics.
      const run = await settleMission(deps.db, job.data.missionId, {
        now: deps.now,
        batchSize: deps.settlementBatchSize,
        concurrency: deps.settlementConcurrency,
        onBatch: (batch) => deps.onSettlementBatch?.(job.data.missionId, batch),
      });
      deps.onSettled?.(await settlementOutcome(deps.db, job.data.missionId), (Date.now() - started) / 1000);
      deps.logger.info({ missionId: job.data.missionId, ...run }, 'mission settled');
      return run;
    },
    { concurrency: 1 },
  );

  for (const worker of [timerWorker, settlementWorker]) {
    worker.on('failed', (job, err) => deps.logger.warn({ err, jobId: job?.id }, 'job failed'));
    worker.on('error', (err) => deps.logger.warn({ err }, 'worker error'));
  }

  return {
    timerWorker,
    settlementWorker,
    async close() {
      await Promise.allSettled([timerWorker.close(), settlementWorker.close()]);
    },
  };
}
