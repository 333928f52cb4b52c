/**
 * Wires the infrastructure shared by the three processes (server, worker, bot): database
 * (configured or embedded), migrations, event bus, job backend, scheduler, the Twitch parts the
 * services use, and the services.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createDb, type DbHandle } from '../db/client.js';
import { openEmbeddedPostgres, type EmbeddedDatabase } from '../db/embedded.js';
import { runMigrations } from '../db/migrate.js';
import type { Config } from './config.js';
import { createEventBus, type ReadyEventBus } from './events/create-bus.js';
import { postgresReadiness, redisReadiness } from './http/plugins/health.js';
import type { ReadinessCheck } from './ports/readiness.js';
import { createMetrics } from './http/metrics.js';
import type { AppMetrics } from './ports/metrics.js';
import { createJobBackend, type JobBackend } from './jobs/backend.js';
import { createMissionScheduler, type MissionJobs } from './jobs/mission-jobs.js';
import { registerOpsGauges } from './monitoring/ops-gauges.js';
import { createChannelService } from './services/channels.js';
import { createServices, type Services } from './services/index.js';
import { createTwitchEdge, type TwitchEdge } from './twitch/edge.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  databaseUrl: string;
  /** The embedded database, when DATABASE_URL is unset. */
  embedded: Pick<EmbeddedDatabase, 'home' | 'port'> | undefined;
  db: DbHandle;
  bus: ReadyEventBus;
  jobs: JobBackend;
  scheduler: MissionJobs;
  services: Services;
  /** The Twitch integration the services were built with; null without Twitch credentials. Started by the Twitch wiring. */
  twitch: TwitchEdge | null;
  metrics: AppMetrics;
  readiness: ReadinessCheck[];
  now: () => Date;
  /** Runs `listener` each time the event bus resubscribes after losing its connection. */
  onBusResubscribed(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Namespace for job queues (tests use a unique one). */
  jobPrefix?: string;
  now?: () => Date;
  poolMax?: number;
  /** Backoff for Twitch token refreshes that failed for a transient reason (tests shorten it). */
  twitchRefreshRetry?: { baseMs: number; maxMs: number };
}

export async function createRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    // adopt: a server left running by a killed run is used, and stopped at shutdown like our own.
    embedded = await openEmbeddedPostgres(config.dataDir, {
      log: (msg) => logger.info(msg),
      defaultDataDir: config.dataDirIsDefault,
      adopt: true,
    });
    databaseUrl = embedded.url;
  }
  const db = createDb(databaseUrl, { max: options.poolMax ?? 20 });
  await runMigrations(db);

  const resubscribed = new Set<() => void>();
  const bus = createEventBus({
    redisUrl: config.redisUrl,
    pool: db.pool,
    connectionString: databaseUrl,
    logger,
    onResubscribed: () => resubscribed.forEach((listener) => listener()),
  });
  await bus.ready();
  const jobs = createJobBackend({ redisUrl: config.redisUrl, databaseUrl, prefix: options.jobPrefix, logger });
  const scheduler = createMissionScheduler(jobs, logger);
  const now = options.now ?? (() => new Date());
  const metrics = createMetrics();
  const twitch = createTwitchEdge({ config, db: db.db, logger, bus, now, refreshRetry: options.twitchRefreshRetry });
  const services = createServices(
    { db: db.db, bus, scheduler, logger, now },
    {
      twitch: twitch ?? undefined,
      pledgeBatcher: {
        onBatch({ size, ms, ok }) {
          metrics.pledgeBatchSize.observe(size);
          metrics.pledgeBatchDuration.observe({ result: ok ? 'ok' : 'failed' }, ms / 1_000);
        },
        onRefused: (reason) => metrics.pledgesRefused.inc({ reason }),
      },
    },
  );

  const readiness: ReadinessCheck[] = [postgresReadiness(db)];
  let redisProbe: Redis | undefined;
  if (config.redisUrl) {
    redisProbe = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
    redisProbe.on('error', () => undefined);
    readiness.push(redisReadiness(redisProbe));
  }

  registerOpsGauges(metrics.registry, { db: db.db, readiness });

  // The configured channels are registered without asking Twitch or announcing them: start-up
  // does not wait on Twitch (the accrual job resolves a missing broadcaster id later), and every
  // process registers them itself.
  const configured = createChannelService(db.db, { events: { bus, logger } });
  for (const login of config.twitch.channels) await configured.ensure(login);

  return {
    config,
    logger,
    databaseUrl,
    embedded: embedded ? { home: embedded.home, port: embedded.port } : undefined,
    db,
    bus,
    jobs,
    scheduler,
    services,
    twitch,
    metrics,
    readiness,
    now,
    onBusResubscribed(listener) {
      resubscribed.add(listener);
      return () => resubscribed.delete(listener);
    },
    async close() {
      // Pledges accepted before shutdown are committed, never half-applied or dropped.
      await services.missions.closePledges();
      await scheduler.close();
      await jobs.close();
      await bus.close();
      redisProbe?.disconnect();
      await db.close();
      await embedded?.stop();
    },
  };
}
