/**
 * Liveness and readiness. `/healthz` only says the process answers; `/readyz` runs every
 * readiness check (Postgres, Redis, ...) in parallel, each bounded by a timeout, so a load
 * balancer stops sending traffic to an instance that cannot reach its stores.
 */
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { DbHandle } from '../../../db/client.js';
import type { ReadinessCheck } from '../../ports/readiness.js';

export interface HealthOptions {
  readiness: ReadinessCheck[];
  /** Per-check limit; a slower check counts as failed. */
  timeoutMs?: number;
}

/** A readiness check that runs `SELECT 1` on the pool. */
export function postgresReadiness(db: Pick<DbHandle, 'pool'>): ReadinessCheck {
  return {
    name: 'postgres',
    check: async () => {
      await db.pool.query('SELECT 1');
    },
  };
}

/** A readiness check for anything with an ioredis-style `ping()`. */
export function redisReadiness(client: { ping(): Promise<unknown> }, name = 'redis'): ReadinessCheck {
  return {
    name,
    check: async () => {
      await client.ping();
    },
  };
}

type CheckResult = 'ok' | 'failed' | 'timeout';

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<{ result: CheckResult; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([check.check().then(() => 'ok' as const), timeout]);
    return { result: outcome };
  } catch (error) {
    return { result: 'failed', error };
  } finally {
    clearTimeout(timer);
  }
}

const Status = Type.Object({ status: Type.String() });
const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), Type.String()),
});

export const healthPlugin = fp<HealthOptions>(
  async (app: FastifyInstance, options) => {
    const timeoutMs = options.timeoutMs ?? 1_000;

    app.get(
      '/healthz',
      { schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Status } } },
      async () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ['health'],
          summary: 'Postgres, Redis and other dependencies are reachable',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (request, reply) => {
        const results = await Promise.all(options.readiness.map((c) => runCheck(c, timeoutMs)));
        const checks: Record<string, string> = {};
        let ready = true;
        options.readiness.forEach((c, i) => {
          const r = results[i] ?? { result: 'failed' as const };
          checks[c.name] = r.result;
          if (r.result !== 'ok') {
            ready = false;
            // The reason goes to the log only: connection errors name hosts and ports.
            request.log.warn({ check: c.name, result: r.result, err: r.error }, 'readiness check failed');
          }
        });
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
      },
    );
  },
  { name: 'mission-link-health', fastify: '5.x' },
);
