/**
 * The metrics the alert rules in infra/monitoring/ watch: the scheduled ledger audit's violations
 * (each logged once), overdue missions, settlements not finished, and whether the stores answer.
 */
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../server/http/metrics.js';
import { createLedgerAuditRunner } from '../../server/jobs/ledger-audit-job.js';
import { registerOpsGauges } from '../../server/monitoring/ops-gauges.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';
import type { ChatUser } from '../../server/domain/actor.js';

let world: ServiceWorld;
beforeAll(async () => {
  world = await createServiceWorld('monitoring', 'monchan');
});
afterAll(async () => world?.close());

/** The value of one sample in the text exposition, or undefined when absent. */
async function sample(metrics: ReturnType<typeof createMetrics>, name: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

function capturingLogger() {
  const lines: { msg: string; violation?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe('scheduled ledger audit', () => {
  it('exports the violation count and logs each violation once, then clears', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const { logger, lines } = capturingLogger();
    const runner = createLedgerAuditRunner({ db: world.database.db, logger, metrics, now: () => new Date(1_800_000_000_000) });
    expect(await runner.run()).toBe(0);
    expect(await sample(metrics, 'mission_link_ledger_violations')).toBe(0);
    expect(await sample(metrics, 'mission_link_ledger_audit_last_run_timestamp_seconds')).toBe(1_800_000_000);

    // A balance changed behind the journal: invariants 1 and 3 break.
    const mint = sql`(SELECT id FROM accounts WHERE channel_id = ${world.channel.id} AND kind = 'mint')`;
    await world.database.db.execute(sql`UPDATE accounts SET balance = balance - 7 WHERE id = ${mint}`);
    try {
      expect(await runner.run()).toBe(2);
      expect(await runner.run()).toBe(2);
      expect(await sample(metrics, 'mission_link_ledger_violations')).toBe(2);
      const logged = lines.filter((l) => l.msg === 'ledger invariant violated');
      expect(logged).toHaveLength(2);
    } finally {
      await world.database.db.execute(sql`UPDATE accounts SET balance = balance + 7 WHERE id = ${mint}`);
    }
    expect(await runner.run()).toBe(0);
    expect(await sample(metrics, 'mission_link_ledger_violations')).toBe(0);
    expect(lines.filter((l) => l.msg === 'ledger audit clean again')).toHaveLength(1);
  });
});

describe('scrape-time gauges', () => {
  it('count overdue open missions and unfinished settlements, and report each store up or down', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let redisUp = true;
    registerOpsGauges(metrics.registry, {
      db: world.database.db,
      readiness: [
        { name: 'postgres', check: async () => undefined },
        { name: 'redis', check: async () => { if (!redisUp) throw new Error('down'); } },
      ],
    });
    expect(await sample(metrics, 'mission_link_missions_overdue')).toBe(0);
    expect(await sample(metrics, 'mission_link_settlements_pending')).toBe(0);

    const user: ChatUser = { userId: 'mon-1', login: 'mon1', displayName: 'mon1' };
    const actor = { kind: 'chat', channel: 'monchan', user, role: 'viewer' } as const;
    const a = await world.services.missions.propose(world.channel, { text: 'Overdue', amount: 10, proposer: user }, actor);
    const b = await world.services.missions.propose(world.channel, { text: 'Stuck settlement', amount: 10, proposer: user }, actor);
    // The deadline job never ran for one; the other was judged ten minutes ago and never settled.
    await world.database.db.execute(sql`UPDATE missions SET deadline = now() - interval '5 minutes' WHERE channel_id = ${world.channel.id} AND number = ${a.mission.number}`);
    await world.database.db.execute(sql`UPDATE missions SET status = 'failed', resolved_at = now() - interval '10 minutes' WHERE channel_id = ${world.channel.id} AND number = ${b.mission.number}`);

    expect(await sample(metrics, 'mission_link_missions_overdue')).toBe(1);
    expect(await sample(metrics, 'mission_link_settlements_pending')).toBe(1);
    expect(await sample(metrics, 'mission_link_settlement_oldest_pending_seconds')).toBeGreaterThanOrEqual(600);

    const text = await metrics.registry.metrics();
    expect(text).toContain('mission_link_dependency_up{dependency="redis"} 1');
    redisUp = false;
    const down = await metrics.registry.metrics();
    expect(down).toContain('mission_link_dependency_up{dependency="redis"} 0');
    expect(down).toContain('mission_link_dependency_up{dependency="postgres"} 1');
  });
});
