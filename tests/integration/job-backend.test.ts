import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import {
  createJobBackend,
  rescheduleJob,
  type JobBackend,
  type JobProcessor,
  type JobWorker,
} from '../../server/jobs/backend.js';
import type { BusLogger } from '../../server/events/memory-bus.js';
import {
  REDIS_URL,
  createRedisPrefix,
  createTestDatabase,
  uniqueName,
  type TestDatabase,
} from '../support/services.js';

const logger: BusLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Data {
  label: string;
}

interface Run {
  id: string;
  label: string;
  at: number;
  worker: string;
}

/** Records every processed job and lets a test wait until a predicate over the runs holds. */
function recorder() {
  const runs: Run[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };
  return {
    runs,
    processor(worker: string, behaviour?: (job: Job<Data>) => void): JobProcessor<Data> {
      return async (job) => {
        behaviour?.(job);
        runs.push({ id: job.id!, label: job.data.label, at: Date.now(), worker });
        return undefined;
      };
    },
    notify,
    until(predicate: (runs: Run[]) => boolean, timeoutMs = 10_000): Promise<void> {
      if (predicate(runs)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; runs so far: ${JSON.stringify(runs)}`));
        }, timeoutMs);
        const check = (): void => {
          if (!predicate(runs)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
  };
}

/** Workers report through 'completed' so waits follow BullMQ's own bookkeeping, not the processor. */
function watch<D>(worker: JobWorker<D>, rec: ReturnType<typeof recorder>): JobWorker<D> {
  worker.on('completed', () => rec.notify());
  worker.on('failed', () => rec.notify());
  worker.on('error', () => undefined);
  return worker;
}

const has = (label: string) => (runs: Run[]) => runs.some((r) => r.label === label);

describe.each(['redis', 'postgres'] as const)('%s job backend', (kind) => {
  let backend: JobBackend;
  let database: TestDatabase | undefined;
  let redisCleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const prefix = uniqueName('jobs');
    if (kind === 'redis') {
      const redisPrefix = createRedisPrefix('jobs');
      redisCleanup = redisPrefix.cleanup;
      backend = createJobBackend({ redisUrl: REDIS_URL, databaseUrl: 'unused', prefix: redisPrefix.prefix, logger });
    } else {
      database = await createTestDatabase('jobs');
      backend = createJobBackend({ databaseUrl: database.connectionString, prefix, logger });
    }
  });
  afterAll(async () => {
    await backend.close();
    await redisCleanup?.();
    await database?.drop();
  });

  it('reports its kind', () => {
    expect(backend.kind).toBe(kind);
  });

  it('fires a delayed job with a deterministic id after its delay, and getJob finds it meanwhile', async () => {
    const name = uniqueName('delayed');
    const queue = backend.createQueue<Data>(name);
    const rec = recorder();
    watch(backend.createWorker(name, rec.processor('w1')), rec);
    const added = Date.now();
    const job = await queue.add('deadline', { label: 'd' }, { jobId: 'deadline-42', delay: 300 });
    expect(job.id).toBe('deadline-42');
    const pending = await queue.getJob('deadline-42');
    expect(pending?.data).toEqual({ label: 'd' });
    expect(await queue.getJobState('deadline-42')).toBe('delayed');
    await rec.until(has('d'));
    expect(rec.runs).toHaveLength(1);
    expect(rec.runs[0]!.id).toBe('deadline-42');
    expect(rec.runs[0]!.at - added).toBeGreaterThanOrEqual(290);
  });

  it('keeps one job when the same id is added twice', async () => {
    const name = uniqueName('dedup');
    const queue = backend.createQueue<Data>(name);
    await queue.add('deadline', { label: 'first' }, { jobId: 'deadline-42', delay: 150 });
    const again = await queue.add('deadline', { label: 'second' }, { jobId: 'deadline-42', delay: 150 });
    expect(again.id).toBe('deadline-42');
    expect(await queue.getDelayedCount()).toBe(1);
    const rec = recorder();
    watch(backend.createWorker(name, rec.processor('w1')), rec);
    // A later job marks the point by which a duplicate would have run.
    await queue.add('sentinel', { label: 'sentinel' }, { delay: 400 });
    await rec.until(has('sentinel'));
    expect(rec.runs.map((r) => r.label)).toEqual(['first', 'sentinel']);
  });

  it('never fires a delayed job removed before its time', async () => {
    const name = uniqueName('removed');
    const queue = backend.createQueue<Data>(name);
    const rec = recorder();
    watch(backend.createWorker(name, rec.processor('w1')), rec);
    await queue.add('deadline', { label: 'removed' }, { jobId: 'deadline-42', delay: 200 });
    expect(await queue.remove('deadline-42')).toBe(1);
    expect(await queue.getJob('deadline-42')).toBeUndefined();
    await queue.add('sentinel', { label: 'sentinel' }, { delay: 500 });
    await rec.until(has('sentinel'));
    expect(rec.runs.map((r) => r.label)).toEqual(['sentinel']);
  });

  it('reschedules a delayed job to fire once at the new time', async () => {
    const name = uniqueName('resched');
    const queue = backend.createQueue<Data>(name);
    const rec = recorder();
    watch(backend.createWorker(name, rec.processor('w1')), rec);
    await queue.add('deadline', { label: 'old' }, { jobId: 'deadline-42', delay: 150 });
    const moved = Date.now();
    await rescheduleJob(queue, 'deadline', { label: 'new' }, { jobId: 'deadline-42', delay: 500 });
    await queue.add('sentinel', { label: 'sentinel' }, { delay: 800 });
    await rec.until(has('sentinel'));
    // The old schedule (150 ms) would have run first; only the new one (500 ms) may appear.
    expect(rec.runs.map((r) => r.label)).toEqual(['new', 'sentinel']);
    expect(rec.runs[0]!.at - moved).toBeGreaterThanOrEqual(490);
  });

  it('retries a processor that throws once, then succeeds', async () => {
    const name = uniqueName('retry');
    const queue = backend.createQueue<Data>(name);
    const rec = recorder();
    const failures: string[] = [];
    const worker = watch(
      backend.createWorker(
        name,
        rec.processor('w1', (job) => {
          if (job.attemptsMade === 0) throw new Error('transient');
        }),
      ),
      rec,
    );
    worker.on('failed', (_job, err) => failures.push(err.message));
    await queue.add('flaky', { label: 'flaky' }, { jobId: 'flaky-1', backoff: { type: 'fixed', delay: 100 } });
    await rec.until(has('flaky'));
    expect(failures).toEqual(['transient']);
    expect(rec.runs).toHaveLength(1);
  });

  it('ignores an add over a kept failed job; rescheduleJob replaces it', async () => {
    const name = uniqueName('failed');
    const queue = backend.createQueue<Data>(name);
    const rec = recorder();
    const worker = watch(
      backend.createWorker(
        name,
        rec.processor('w1', (job) => {
          if (job.data.label === 'broken') throw new Error('permanent');
        }),
      ),
      rec,
    );
    const failedForGood = new Promise<void>((resolve) => worker.on('failed', () => resolve()));
    await queue.add('deadline', { label: 'broken' }, { jobId: 'deadline-7', attempts: 1 });
    await failedForGood;
    expect(await queue.getJobState('deadline-7')).toBe('failed');
    await queue.add('deadline', { label: 'ignored' }, { jobId: 'deadline-7', delay: 50 });
    expect(await queue.getJobState('deadline-7')).toBe('failed');
    await rescheduleJob(queue, 'deadline', { label: 'replacement' }, { jobId: 'deadline-7', delay: 50 });
    await rec.until(has('replacement'));
    expect(rec.runs.map((r) => r.label)).toEqual(['replacement']);
  });

  it('lets a new worker pick up jobs left waiting by a closed one', async () => {
    const name = uniqueName('handover');
    const queue = backend.createQueue<Data>(name);
    const rec = recorder();
    const first = watch(backend.createWorker(name, rec.processor('first')), rec);
    await first.close();
    await queue.addBulk(['a', 'b', 'c'].map((label) => ({ name: 'work', data: { label } })));
    expect(await queue.getWaitingCount()).toBe(3);
    watch(backend.createWorker(name, rec.processor('second')), rec);
    await rec.until((runs) => runs.length === 3);
    expect(rec.runs.map((r) => r.worker)).toEqual(['second', 'second', 'second']);
    expect(rec.runs.map((r) => r.label).sort()).toEqual(['a', 'b', 'c']);
  });
});
