/**
 * Fault: the worker process is SIGKILLed in the middle of settling a 20,000-pledge mission,
 * with a settlement batch in flight (its rows updated, its commit not yet sent). Restarted, it
 * finishes, and every backer is refunded exactly once.
 *
 * Timing is made deterministic with row locks the test holds, not with sleeps: locking the top
 * half of the pledges lets the worker commit the bottom half and then idle (SKIP LOCKED); locking
 * the escrow account then parks the next batch inside its transaction, where we kill it.
 */
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedPledges, startRedis, startRole, until, type ChildHandle } from './support.js';

const CH = 'killme';
const BACKERS = 20_000;
const ADMIN_TOKEN = 'fault-admin-token-0123456789';

let redis: Awaited<ReturnType<typeof startRedis>>;
let database: TestDatabase;
let runtime: Runtime;
let app: FastifyInstance;
const children: ChildHandle[] = [];

beforeAll(async () => {
  [redis, database] = await Promise.all([startRedis(), createTestDatabase('fault_sigkill')]);
  runtime = await createRuntime(
    loadConfig({ DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN, LOG_LEVEL: 'silent' }),
    pino({ level: 'silent' }),
  );
  app = await buildMissionApp(runtime);
  await app.ready();
});
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await app?.close();
  await runtime?.close();
  await database?.drop();
  await redis?.kill('SIGKILL');
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const workerEnv = () => ({ DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN });

async function settledCount(missionId: number): Promise<number> {
  const r = (await runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM pledges WHERE mission_id = ${missionId} AND settlement IS NOT NULL`)).rows[0] as { n: number };
  return r.n;
}

it('a worker killed mid-batch is restarted and refunds every backer exactly once', async () => {
  const started = Date.now();
  expect((await app.inject({ method: 'POST', url: '/api/v1/channels', headers: admin, payload: { login: CH, settings: { requireApproval: false } } })).statusCode).toBe(201);
  const channel = await runtime.services.channels.get(CH);
  const proposed = await app.inject({
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: admin,
    payload: { text: 'Twenty thousand backers', amount: 10, proposer: { userId: 'starter', login: 'starter', displayName: 'Starter' } },
  });
  expect(proposed.statusCode).toBe(201);
  const n = (proposed.json() as { number: number }).number;
  await seedPledges(runtime.db.db, channel.id, n, BACKERS);
  const missionId = ((await runtime.db.db.execute(sql`SELECT id FROM missions WHERE channel_id = ${channel.id} AND number = ${n}`)).rows[0] as { id: number }).id;
  const total = BACKERS + 1;

  // Hold the top 10,000 pledges: the worker can settle the rest, then finds nothing it can lock.
  const holdPledges = new pg.Client({ connectionString: database.url });
  const holdEscrow = new pg.Client({ connectionString: database.url });
  await Promise.all([holdPledges.connect(), holdEscrow.connect()]);
  await holdPledges.query('BEGIN');
  await holdPledges.query('SELECT id FROM pledges WHERE mission_id = $1 ORDER BY id DESC LIMIT 10000 FOR UPDATE', [missionId]);

  const worker = startRole('worker', workerEnv());
  children.push(worker);
  const failed = await app.inject({ method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/fail`, headers: admin });
  expect(failed.statusCode).toBe(200);
  await until(async () => (await settledCount(missionId)) === total - 10_000, 40_000, 'first half settled');

  // Park the next batch inside its transaction: it will need the escrow row we now hold.
  await holdEscrow.query('BEGIN');
  await holdEscrow.query(`SELECT id FROM accounts WHERE kind = 'escrow' AND mission_id = $1 FOR UPDATE`, [missionId]);
  await holdPledges.query('ROLLBACK');
  const blocked = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`;
  await until(async () => (await holdEscrow.query(blocked)).rows[0].n > 0, 20_000, 'a batch waiting on the escrow row');

  await worker.kill('SIGKILL');
  await holdEscrow.query('ROLLBACK');
  // The orphaned backend gets its lock, then finds its client gone and rolls the batch back.
  const orphans = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()
    AND (state LIKE 'idle in transaction%' OR query LIKE '%SKIP LOCKED%') AND pid <> pg_backend_pid()`;
  await until(async () => (await holdEscrow.query(orphans)).rows[0].n === 0, 20_000, 'orphaned batch rolled back');
  await Promise.all([holdPledges.end(), holdEscrow.end()]);
  expect(await settledCount(missionId)).toBe(total - 10_000);
  const mid = await auditChannel(runtime.db.db, channel.id);
  expect(mid.violations).toEqual([]);

  // BullMQ hands a job whose worker died back to the queue once its lock has expired and a
  // stall check has seen it twice (30-60 s with the default settings). Fast-forward that clock
  // so the test stays short: exactly the keys BullMQ itself would have by then.
  const r = new Redis(redis.url);
  const jobId = `settle-${missionId}`;
  await r.del('bull:mission-settlement:stalled-check', `bull:mission-settlement:${jobId}:lock`);
  await r.sadd('bull:mission-settlement:stalled', jobId);
  r.disconnect();

  const restarted = startRole('worker', workerEnv());
  children.push(restarted);
  await until(async () => {
    const m = (await app.inject({ method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).json() as { settled: boolean };
    return m.settled;
  }, 40_000, 'mission settled after restart');

  const refunds = (
    await runtime.db.db.execute(sql`SELECT count(*)::int AS n, count(DISTINCT pledge_id)::int AS d FROM transfers WHERE kind = 'refund' AND mission_id = ${missionId}`)
  ).rows[0] as { n: number; d: number };
  expect(refunds).toEqual({ n: total, d: total });
  const wallets = (
    await runtime.db.db.execute(sql`SELECT count(*) FILTER (WHERE balance = 100)::int AS whole, count(*)::int AS all FROM accounts WHERE channel_id = ${channel.id} AND kind = 'wallet' AND user_id LIKE 'u%'`)
  ).rows[0] as { whole: number; all: number };
  expect(wallets).toEqual({ whole: BACKERS, all: BACKERS });
  const audit = await auditChannel(runtime.db.db, channel.id);
  expect(audit.violations).toEqual([]);
  expect(audit.ok).toBe(true);
  await restarted.kill('SIGTERM');
  console.info(`worker-sigkill: ${Date.now() - started} ms`);
}, 90_000);
