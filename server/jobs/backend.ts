import { Redis } from 'ioredis';
import {
  Queue,
  Worker,
  createPostgresBackend,
  withBackend,
  type IQueueBackend,
  type JobProgress,
  type JobsOptions,
  type Processor,
  type QueueOptions,
  type WorkerOptions,
} from 'bullmq';
import type { BusLogger } from '../events/memory-bus.js';

// The backend and connection-options parameters differ per backend and are irrelevant once
// constructed, so they are erased (with an `as`: BullMQ's factory types are invariant in
// them): callers hold one type whichever backend runs.
/** A queue on either backend. */
export type JobQueue<D> = Queue<D, unknown, string, D, unknown, string, IQueueBackend, unknown>;
/** A worker on either backend. */
export type JobWorker<D> = Worker<D, unknown, string, IQueueBackend, JobProgress, unknown>;
export type JobProcessor<D> = Processor<D, unknown, string>;

export type QueueSettings = Omit<QueueOptions, 'connection' | 'prefix'>;
export type WorkerSettings = Omit<WorkerOptions, 'connection' | 'prefix'>;

export interface JobBackend {
  readonly kind: 'redis' | 'postgres';
  /** A producer handle. Queues are cheap to create on Redis; on Postgres each owns a small pool. */
  createQueue<D>(name: string, settings?: QueueSettings): JobQueue<D>;
  /** Starts consuming immediately unless `autorun: false`. Attach an 'error' listener. */
  createWorker<D>(name: string, processor: JobProcessor<D>, settings?: WorkerSettings): JobWorker<D>;
  /** Closes every worker (waiting for active jobs), then every queue, then the connections. */
  close(): Promise<void>;
}

export interface JobBackendOptions {
  /** When set, BullMQ runs on Redis; otherwise on its Postgres backend in `databaseUrl`. */
  redisUrl?: string | undefined;
  databaseUrl: string;
  /**
   * Namespace of every queue: the Redis key prefix (default `bull`) or the Postgres schema
   * (default `bullmq`). Tests pass a unique value; it must be a simple identifier for Postgres.
   */
  prefix?: string | undefined;
  logger: BusLogger;
  /** Postgres backend only: pool size of each queue or worker (each also holds one LISTEN connection). */
  pgPoolMax?: number;
}

const ONE_WEEK_SECONDS = 7 * 24 * 3600;

/**
 * Job options for this app's jobs: finished jobs vanish so a deterministic id
 * such as `deadline-42` can be added again; failed ones stay for a week for inspection
 * (while kept, they block re-adding the same id, so reschedule by remove-then-add).
 */
export function defaultJobOptions(): JobsOptions {
  return {
    removeOnComplete: true,
    removeOnFail: { age: ONE_WEEK_SECONDS, count: 10_000 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
  };
}

/**
 * Replaces a delayed job with a fresh one under the same id — moving a deadline. BullMQ
 * ignores an add whose id already exists (while the old job is delayed, waiting, active or
 * kept as failed) and still returns a Job built from the new arguments, so the old job is
 * removed first. Works whether the old job is delayed, failed or already gone; throws if it
 * is running right now (it is locked) — processors must be idempotent anyway.
 */
export async function rescheduleJob<D>(
  queue: JobQueue<D>,
  name: string,
  data: D,
  opts: JobsOptions & { jobId: string },
): Promise<void> {
  const removed = await queue.remove(opts.jobId);
  if (removed === 0 && (await queue.getJobState(opts.jobId)) === 'active') {
    throw new Error(`job ${opts.jobId} is running and cannot be rescheduled`);
  }
  await queue.add(name, data, opts);
}

/** Builds queues and workers on Redis when `redisUrl` is set, on Postgres otherwise. */
export function createJobBackend(options: JobBackendOptions): JobBackend {
  // Only `close` is needed later, which keeps these sets free of the job data type.
  const workers = new Set<{ close(): Promise<void> }>();
  const queues = new Set<{ close(): Promise<void> }>();
  const backend = options.redisUrl ? redisFactories(options) : postgresFactories(options);
  let closing: Promise<void> | undefined;

  return {
    kind: backend.kind,
    createQueue<D>(name: string, settings: QueueSettings = {}) {
      if (closing) throw new Error('job backend is closed');
      const queue = backend.queue<D>(name, { defaultJobOptions: defaultJobOptions(), ...settings });
      queue.on('error', (err: Error) => options.logger.warn({ err, queue: name }, 'queue error'));
      queues.add(queue);
      return queue;
    },
    createWorker<D>(name: string, processor: JobProcessor<D>, settings: WorkerSettings = {}) {
      if (closing) throw new Error('job backend is closed');
      const worker = backend.worker<D>(name, processor, settings);
      workers.add(worker);
      // A worker closed on its own must not be closed twice, nor kept alive by this set.
      worker.on('closed', () => workers.delete(worker));
      return worker;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...workers].map((w) => w.close()));
        await Promise.allSettled([...queues].map((q) => q.close()));
        await backend.close();
      })();
      return closing;
    },
  };
}

interface Factories {
  kind: JobBackend['kind'];
  queue<D>(name: string, settings: QueueSettings): JobQueue<D>;
  worker<D>(name: string, processor: JobProcessor<D>, settings: WorkerSettings): JobWorker<D>;
  close(): Promise<void>;
}

function redisFactories(options: JobBackendOptions): Factories {
  const url = options.redisUrl!;
  const prefix = options.prefix ?? 'bull';
  // Producers fail fast while Redis is down (an API request must not hang); start-up
  // reconciliation re-creates jobs whose add failed.
  const producer = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectionName: 'mission-link:jobs:producer' });
  // Workers wait out outages; BullMQ requires `maxRetriesPerRequest: null` for blocking commands.
  const consumer = new Redis(url, { maxRetriesPerRequest: null, connectionName: 'mission-link:jobs:worker' });
  for (const conn of [producer, consumer]) {
    conn.on('error', (err: Error) => options.logger.warn({ err }, 'job backend redis connection error'));
  }
  return {
    kind: 'redis',
    queue: <D>(name: string, settings: QueueSettings) =>
      new Queue<D>(name, { ...settings, prefix, connection: producer }) as JobQueue<D>,
    worker: <D>(name: string, processor: JobProcessor<D>, settings: WorkerSettings) =>
      new Worker<D, unknown>(name, processor, { ...settings, prefix, connection: consumer }) as JobWorker<D>,
    async close() {
      await Promise.allSettled([producer, consumer].map((c) => (c.status === 'ready' ? c.quit() : undefined)));
      producer.disconnect();
      consumer.disconnect();
    },
  };
}

function postgresFactories(options: JobBackendOptions): Factories {
  const classes = withBackend(createPostgresBackend);
  // Each queue and worker builds its own pool from this config (BullMQ owns and closes it);
  // `migrate: true` makes the first one create or upgrade the schema under an advisory lock.
  const connection = () => ({
    connectionString: options.databaseUrl,
    schema: options.prefix ?? 'bullmq',
    migrate: true,
    max: options.pgPoolMax ?? 3,
    application_name: 'mission-link:jobs',
  });
  return {
    kind: 'postgres',
    queue: <D>(name: string, settings: QueueSettings) =>
      new classes.Queue<D>(name, { ...settings, connection: connection() }) as JobQueue<D>,
    worker: <D>(name: string, processor: JobProcessor<D>, settings: WorkerSettings) =>
      new classes.Worker<D, unknown>(name, processor, { ...settings, connection: connection() }) as JobWorker<D>,
    close: () => Promise.resolve(),
  };
}
