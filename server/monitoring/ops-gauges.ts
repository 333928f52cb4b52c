/**
 * Gauges read from the database and the stores when Prometheus scrapes, for the alerts a streamer
 * needs before a viewer notices: missions past their deadline that no job closed, verdicts whose
 * settlement has not finished, and whether Postgres and Redis answer.
 */
import { sql } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../../db/client.js';
import type { ReadinessCheck } from '../ports/readiness.js';

export interface OpsGaugeDeps {
  db: Database;
  /** Read at each scrape, so checks added after start-up (Twitch) are included. */
  readiness: readonly ReadinessCheck[];
  /** Per check, at scrape time; slower counts as down. */
  checkTimeoutMs?: number;
}

// The deadline job closes a mission within seconds; a minute past is a job that did not run.
const OVERDUE_GRACE_SECONDS = 60;
const TERMINAL = sql`('succeeded', 'failed', 'cancelled', 'rejected')`;

async function withTimeout(check: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check.then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the scrape-time gauges on `registry`. */
export function registerOpsGauges(registry: Registry, deps: OpsGaugeDeps): void {
  const registers = [registry];
  const timeoutMs = deps.checkTimeoutMs ?? 2_000;
  // One query for the mission gauges, shared by the three collectors of a scrape.
  let pending: Promise<{ overdue: number; unsettled: number; oldest: number }> | undefined;
  const missionState = () => {
    pending ??= (async () => {
      try {
        const [row] = (await deps.db.execute(sql`
          SELECT
            count(*) FILTER (WHERE status = 'open' AND deadline < now() - make_interval(secs => ${OVERDUE_GRACE_SECONDS})) AS overdue,
            count(*) FILTER (WHERE status IN ${TERMINAL} AND NOT settled) AS unsettled,
            COALESCE(EXTRACT(EPOCH FROM now() - min(resolved_at) FILTER (WHERE status IN ${TERMINAL} AND NOT settled)), 0) AS oldest
          FROM missions WHERE status = 'open' OR NOT settled`)).rows as { overdue: number; unsettled: number; oldest: number }[];
        return { overdue: Number(row?.overdue ?? 0), unsettled: Number(row?.unsettled ?? 0), oldest: Number(row?.oldest ?? 0) };
      } catch {
        // Postgres down: the scrape still answers (mission_link_dependency_up says why), these read NaN.
        return { overdue: Number.NaN, unsettled: Number.NaN, oldest: Number.NaN };
      } finally {
        setImmediate(() => (pending = undefined));
      }
    })();
    return pending;
  };

  new Gauge({
    name: 'mission_link_missions_overdue',
    help: `Open missions more than ${OVERDUE_GRACE_SECONDS} s past their deadline (the deadline job did not close them)`,
    registers,
    async collect() {
      this.set((await missionState()).overdue);
    },
  });
  new Gauge({
    name: 'mission_link_settlements_pending',
    help: 'Missions with a verdict whose pot is not yet fully paid out or refunded',
    registers,
    async collect() {
      this.set((await missionState()).unsettled);
    },
  });
  new Gauge({
    name: 'mission_link_settlement_oldest_pending_seconds',
    help: 'Age of the oldest verdict whose settlement has not finished (0 when none)',
    registers,
    async collect() {
      this.set((await missionState()).oldest);
    },
  });
  new Gauge({
    name: 'mission_link_dependency_up',
    help: 'Whether each store answers (postgres, redis, ...): 1 up, 0 down',
    labelNames: ['dependency'],
    registers,
    async collect() {
      const results = await Promise.all(deps.readiness.map(async (c) => [c.name, await withTimeout(c.check(), timeoutMs)] as const));
      for (const [name, up] of results) this.set({ dependency: name }, up ? 1 : 0);
    },
  });
}
