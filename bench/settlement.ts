/**
 * Scenario (d): refund of a 100,000-pledge mission and payout of another, through the verdict
 * service and the batched settlement (`settleMission`, 5,000 pledges per transaction). The
 * longest batch transaction is the longest time any settlement lock is held.
 */
import { sql } from 'drizzle-orm';
import { settleMission } from '../server/services/settlement.js';
import { audit, createWorld, openMission, viewer, type BenchWorld } from './support.js';

export interface SettlementFigures {
  seconds: number;
  maxBatchMs: number;
  batches: number;
  pledges: number;
  audit: string;
}

/** Pledges `count` × 10 points from distinct viewers through the batcher, in windows the queue accepts. */
async function seed(world: BenchWorld, number: number, count: number, offset: number): Promise<void> {
  const window = 10_000;
  for (let start = 0; start < count; start += window) {
    await Promise.all(
      Array.from({ length: Math.min(window, count - start) }, (_, i) => {
        const u = viewer(offset + start + i);
        return world.services.missions.pledge(world.channel, { number, amount: 10, user: u }, { kind: 'chat', channel: world.channel.login, user: u, role: 'viewer' });
      }),
    );
  }
}

async function settle(world: BenchWorld, number: number, missionId: number, action: 'fail' | 'success'): Promise<Omit<SettlementFigures, 'audit' | 'pledges'>> {
  const started = performance.now();
  await world.services.verdicts.act(world.channel, number, action, world.hostActor);
  let last = performance.now();
  let maxBatchMs = last - started;
  const run = await settleMission(world.database.db, missionId, {
    now: () => new Date(),
    onBatch: () => {
      const t = performance.now();
      maxBatchMs = Math.max(maxBatchMs, t - last);
      last = t;
    },
  });
  return { seconds: (performance.now() - started) / 1000, maxBatchMs, batches: run.batches };
}

export async function measureSettlement(pledges: number): Promise<{ refund: SettlementFigures; payout: SettlementFigures; seedPerSecond: number }> {
  const world = await createWorld('bench_settle');
  try {
    const refundMission = await openMission(world, 'Refund me');
    const payoutMission = await openMission(world, 'Pay me');
    const seedStarted = performance.now();
    await seed(world, refundMission.number, pledges, 0);
    await seed(world, payoutMission.number, pledges, pledges);
    const seedPerSecond = (2 * pledges) / ((performance.now() - seedStarted) / 1000);
    await world.database.db.execute(sql.raw('ANALYZE users, accounts, pledges, transfers'));
    const refund = await settle(world, refundMission.number, refundMission.id, 'fail');
    const refundAudit = await audit(world);
    const payout = await settle(world, payoutMission.number, payoutMission.id, 'success');
    return {
      refund: { ...refund, pledges, audit: refundAudit },
      payout: { ...payout, pledges, audit: await audit(world) },
      seedPerSecond,
    };
  } finally {
    await world.close();
  }
}
