/**
 * Scenario (d): refund of a 100,000-pledge mission and payout of another, through the verdict
 * service and the batched settlement (`settleMission` as the job runs it: 2,000 pledges per
 * transaction, two transactions at a time). The longest transaction (the verdict's, or a
 * batch's) is the longest time any settlement lock is held.
 */
import { sql } from 'drizzle-orm';
import { DomainError } from '../server/domain/errors.js';
import { escrowOf, getSystemAccounts } from '../server/ledger/accounts.js';
import { settleMission, type SettleOptions } from '../server/services/settlement.js';
import { audit, createWorld, openMission, viewer, type BenchWorld } from './support.js';

export interface SettlementFigures {
  seconds: number;
  /** Longest transaction: the verdict's or a batch's. */
  maxBatchMs: number;
  verdictMs: number;
  batches: number;
  pledges: number;
  audit: string;
}

export interface SettlementBenchOptions extends Pick<SettleOptions, 'batchSize' | 'concurrency'> {
  /** Refresh planner statistics after seeding (as autovacuum would, eventually). Default: no. */
  analyze?: boolean;
  /** Seed through the pledge batcher (default) or set-based SQL. */
  seed?: 'batcher' | 'sql';
  /** Receives one line per batch (time since the verdict, pledges, transaction time). */
  trace?: (line: string) => void;
}

/**
 * Pledges `count` × 10 points from distinct viewers through the batcher, 2,000 callers at a time.
 * A caller refused with OVERLOADED backs off 10 ms and retries its pledge (as a client honouring
 * Retry-After would); any other error fails the benchmark.
 */
async function seed(world: BenchWorld, number: number, count: number, offset: number): Promise<void> {
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < count; i = next++) {
      const u = viewer(offset + i);
      const actor = { kind: 'chat' as const, channel: world.channel.login, user: u, role: 'viewer' as const };
      for (;;) {
        try {
          await world.services.missions.pledge(world.channel, { number, amount: 10, user: u }, actor);
          break;
        } catch (err) {
          if (!(err instanceof DomainError && err.code === 'OVERLOADED')) throw err;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 2_000 }, caller));
}

/**
 * The same ledger state as `seed`, written set-based in one transaction (users, wallets with their
 * starting balance, pledges and their journal rows): seconds instead of a batcher run, and
 * independent of the batcher, for measuring settlement alone.
 */
async function seedSql(world: BenchWorld, missionId: number, count: number, offset: number): Promise<void> {
  const channelId = world.channel.id;
  await world.database.db.transaction(async (tx) => {
    const { mint } = await getSystemAccounts(tx, channelId);
    const escrow = await escrowOf(tx, missionId);
    const users = sql`generate_series(${offset}::int, ${offset + count - 1}::int) g`;
    await tx.execute(sql`INSERT INTO users (user_id, login, display_name) SELECT 'u' || g, 'v' || g, 'V' || g FROM ${users}`);
    await tx.execute(sql`INSERT INTO accounts (channel_id, kind, user_id, balance) SELECT ${channelId}, 'wallet', 'u' || g, 990 FROM ${users}`);
    await tx.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      SELECT ${channelId}, ${mint}, w.id, 1000, 'starting_balance', 'seed'
      FROM ${users} JOIN accounts w ON w.channel_id = ${channelId} AND w.kind = 'wallet' AND w.user_id = 'u' || g`);
    await tx.execute(sql`
      WITH p AS (
        INSERT INTO pledges (channel_id, mission_id, user_id, amount) SELECT ${channelId}, ${missionId}, 'u' || g, 10 FROM ${users}
        RETURNING id, user_id, amount
      )
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor)
      SELECT ${channelId}, w.id, ${escrow.id}, p.amount, 'pledge', ${missionId}, p.id, 'seed'
      FROM p JOIN accounts w ON w.channel_id = ${channelId} AND w.kind = 'wallet' AND w.user_id = p.user_id`);
    await tx.execute(sql`UPDATE accounts SET balance = balance - ${1000 * count} WHERE id = ${mint}`);
    await tx.execute(sql`UPDATE accounts SET balance = balance + ${10 * count} WHERE id = ${escrow.id}`);
  });
}

/**
 * The verdict, then `settleMission` as the job runs it. `maxBatchMs` is the longest transaction:
 * the verdict's own and each batch's (timed around its transaction, so overlapping batches are
 * each counted whole).
 */
async function settle(
  world: BenchWorld,
  number: number,
  missionId: number,
  action: 'fail' | 'success',
  options: SettlementBenchOptions,
): Promise<Omit<SettlementFigures, 'audit' | 'pledges'>> {
  const started = performance.now();
  await world.services.verdicts.act(world.channel, number, action, world.hostActor);
  const verdictMs = performance.now() - started;
  let maxBatchMs = verdictMs;
  options.trace?.(`${action}: verdict in ${Math.round(verdictMs)} ms`);
  const run = await settleMission(world.database.db, missionId, {
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    now: () => new Date(),
    onBatch: (batch) => {
      maxBatchMs = Math.max(maxBatchMs, batch.transactionMs ?? 0);
      const at = Math.round(performance.now() - started);
      options.trace?.(`${action}: +${at} ms batch of ${batch.settledPledges} in ${Math.round(batch.transactionMs ?? 0)} ms`);
    },
  });
  return { seconds: (performance.now() - started) / 1000, maxBatchMs, verdictMs, batches: run.batches };
}

export async function measureSettlement(
  pledges: number,
  options: SettlementBenchOptions = {},
): Promise<{ refund: SettlementFigures; payout: SettlementFigures; seedPerSecond: number }> {
  const world = await createWorld('bench_settle');
  try {
    const refundMission = await openMission(world, 'Refund me');
    const payoutMission = await openMission(world, 'Pay me');
    const seedStarted = performance.now();
    if (options.seed === 'sql') {
      await seedSql(world, refundMission.id, pledges, 0);
      await seedSql(world, payoutMission.id, pledges, pledges);
    } else {
      await seed(world, refundMission.number, pledges, 0);
      await seed(world, payoutMission.number, pledges, pledges);
    }
    const seedPerSecond = (2 * pledges) / ((performance.now() - seedStarted) / 1000);
    if (options.analyze) await world.database.db.execute(sql.raw('ANALYZE users, accounts, pledges, transfers'));
    const refund = await settle(world, refundMission.number, refundMission.id, 'fail', options);
    const refundAudit = await audit(world);
    const payout = await settle(world, payoutMission.number, payoutMission.id, 'success', options);
    return {
      refund: { ...refund, pledges, audit: refundAudit },
      payout: { ...payout, pledges, audit: await audit(world) },
      seedPerSecond,
    };
  } finally {
    await world.close();
  }
}
