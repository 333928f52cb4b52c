/**
 * The whole service in-process for integration tests: a fresh migrated database, the real
 * event bus and BullMQ backend (Redis or Postgres), workers, and the Fastify app used through
 * `app.inject`. Plus helpers to act as chat users through the bot's service token.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import pino from 'pino';
import { expect } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { startMissionWorkers } from '../../server/jobs/mission-jobs.js';
import type { OverlayLimits } from '../../server/overlay/mount.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import type { BatchResult } from '../../server/services/settlement.js';
import { createTokenService } from '../../server/services/tokens.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { REDIS_URL, uniqueName } from './services.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Harness {
  runtime: Runtime;
  app: FastifyInstance;
  database: TestDatabase;
  botToken: string;
  workers: ReturnType<typeof startMissionWorkers> | null;
  close(): Promise<void>;
}

export interface HarnessOptions {
  label: string;
  backend?: 'redis' | 'postgres';
  /** Start the BullMQ workers (timers, settlement) in this process. */
  workers?: boolean;
  settlementBatchSize?: number;
  onSettlementBatch?: (missionId: number, batch: BatchResult) => Promise<void> | void;
  /** Turn off the per-IP/token rate limits (fan-out tests open thousands of sockets from 127.0.0.1). */
  rateLimit?: false;
  /** Overlay hub limits (a frame fuzzer pings after every frame, far over the ping budget). */
  overlay?: OverlayLimits;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const database = await createTestDatabase(options.label);
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: options.backend === 'redis' ? REDIS_URL : undefined,
    ADMIN_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const runtime = await createRuntime(config, logger, { jobPrefix: uniqueName(options.label), poolMax: 30 });
  const workers =
    options.workers === false
      ? null
      : startMissionWorkers({
          backend: runtime.jobs,
          db: runtime.db.db,
          verdicts: runtime.services.verdicts,
          logger,
          now: runtime.now,
          settlementBatchSize: options.settlementBatchSize,
          onSettlementBatch: options.onSettlementBatch,
        });
  const app = await buildMissionApp(runtime, { rateLimit: options.rateLimit, overlay: options.overlay });
  await app.ready();
  const { token: botToken } = await createTokenService(runtime.db.db).issueToken({ role: 'bot', label: 'tests' });
  return {
    runtime,
    app,
    database,
    botToken,
    workers,
    async close() {
      await app.close();
      await workers?.close();
      await runtime.close();
      await database.drop();
    },
  };
}

export interface ChatUserSpec {
  login: string;
  userId?: string;
  role?: 'viewer' | 'moderator' | 'broadcaster';
}

/** Headers of a request the bot makes for a chat user in `channel`. */
export function asChatUser(h: Harness, channel: string, user: ChatUserSpec): Record<string, string> {
  return {
    authorization: `Bearer ${h.botToken}`,
    'x-acting-channel': channel,
    'x-acting-user-id': user.userId ?? `id-${user.login}`,
    'x-acting-user-login': user.login,
    'x-acting-user-display-name': user.login,
    'x-acting-user-role': user.role ?? 'viewer',
  };
}

export const asAdmin = { authorization: `Bearer ${ADMIN_TOKEN}` };

export async function call(h: Harness, options: InjectOptions) {
  const res = await h.app.inject(options);
  return { status: res.statusCode, body: res.body === '' ? null : (res.json() as any) };
}

export async function createChannel(h: Harness, login: string, settings: Record<string, unknown> = {}) {
  const res = await call(h, { method: 'POST', url: '/api/v1/channels', headers: asAdmin, payload: { login, settings } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function balanceOf(h: Harness, channel: string, login: string): Promise<number> {
  const res = await call(h, { method: 'GET', url: `/api/v1/channels/${channel}/viewers/${login}` });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.balance as number;
}

export async function expectAuditOk(h: Harness, channel = "lifecycle"): Promise<void> {
  const c = await h.runtime.services.channels.get(channel);
  const report = await auditChannel(h.runtime.db.db, c.id);
  expect(report.violations).toEqual([]);
  expect(report.ok).toBe(true);
}

/** Polls `check` until it returns a truthy value (for job-driven transitions), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
