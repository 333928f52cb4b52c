/**
 * Batched settlement on real Postgres, on tables never analysed (as after a storm with autovacuum
 * off): batches in flight at once pay every backer exactly once, even when one viewer's pledges
 * fall into different batches, and settling a pledge stays a heap-only update (no index covers
 * `settlement`, and pledge pages keep room for the settled version of their rows).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUser } from '../../server/domain/actor.js';
import type { Channel } from '../../server/services/channels.js';
import type { Services } from '../../server/services/index.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { settleBatch, settleMission } from '../../server/services/settlement.js';
import type { TestDatabase } from '../support/database.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

const VIEWERS = 200;
const ROUNDS = 3;
const viewer = (i: number): ChatUser => ({ userId: `u${i}`, login: `v${i}`, displayName: `V${i}` });

let world: ServiceWorld;
let database: TestDatabase;
let services: Services;
let channel: Channel;
let host: ChatUser;

beforeAll(async () => {
  world = await createServiceWorld('settle_batches', 'settle');
  ({ database, services, channel, host } = world);
});
afterAll(async () => world?.close());

/** An open mission with `rounds` pledges from each of `viewers` viewers, made terminal without settling it. */
async function cancelledMission(text: string, viewers: number, rounds: number): Promise<{ id: number; pledges: number }> {
  const { mission } = await services.missions.propose(channel, { text, amount: 10, durationSeconds: 3600, proposer: host }, world.hostActor);
  // Round by round, so each viewer's pledges are far apart in id order (in different batches).
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: viewers }, (_, i) =>
        services.missions.pledge(channel, { number: mission.number, amount: 10 + ((i + round) % 7), user: viewer(i) }, {
          kind: 'chat',
          channel: 'settle',
          user: viewer(i),
          role: 'viewer',
        }),
      ),
    );
  }
  const row = (
    await database.db.execute(sql`
      UPDATE missions SET status = 'cancelled', resolved_at = now()
      WHERE channel_id = ${channel.id} AND number = ${mission.number} RETURNING id`)
  ).rows[0] as { id: number };
  return { id: Number(row.id), pledges: viewers * rounds + 1 };
}

describe('batched settlement', () => {
  it('three pledges per viewer, settled 50 at a time with 3 batches in flight: every wallet gets back exactly its pledges', async () => {
    const { id, pledges } = await cancelledMission('Spread out', VIEWERS, ROUNDS);
    const run = await settleMission(database.db, id, { batchSize: 50, concurrency: 3, now: () => new Date() });
    expect(run.settledPledges).toBe(pledges);
    expect(run.batches).toBeGreaterThanOrEqual(Math.ceil(pledges / 50));

    const wallets = (
      await database.db.execute(sql`
        SELECT count(*)::int AS n, count(*) FILTER (WHERE balance = 1000)::int AS whole
        FROM accounts WHERE channel_id = ${channel.id} AND kind = 'wallet' AND user_id LIKE 'u%'`)
    ).rows[0] as { n: number; whole: number };
    expect(wallets).toEqual({ n: VIEWERS, whole: VIEWERS });
    const refunds = (
      await database.db.execute(sql`
        SELECT count(*)::int AS n, count(DISTINCT pledge_id)::int AS d FROM transfers WHERE kind = 'refund' AND mission_id = ${id}`)
    ).rows[0] as { n: number; d: number };
    expect(refunds).toEqual({ n: pledges, d: pledges });
    const mission = (await database.db.execute(sql`SELECT settled FROM missions WHERE id = ${id}`)).rows[0] as { settled: boolean };
    expect(mission.settled).toBe(true);
    expect((await auditChannel(database.db, channel.id)).violations).toEqual([]);

    // Running it again finds nothing to do and pays nobody twice.
    const again = await settleMission(database.db, id, { batchSize: 50, concurrency: 3, now: () => new Date() });
    expect(again.settledPledges).toBe(0);
    expect((await auditChannel(database.db, channel.id)).violations).toEqual([]);
  });

  it('settling a pledge is a heap-only update: no pledge index gets a new entry', async () => {
    const { id, pledges } = await cancelledMission('Hot updates', 300, 1);
    const counts = await database.db.transaction(async (tx) => {
      const batch = await settleBatch(tx, id, 1_000, new Date());
      expect(batch).toMatchObject({ settledPledges: pledges, done: true });
      // Counters of this session not yet flushed to the cumulative statistics (this transaction's,
      // and maybe earlier ones of the same connection): pledge updates, and how many were HOT.
      return (
        await tx.execute(sql`SELECT n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot FROM pg_stat_xact_user_tables WHERE relname = 'pledges'`)
      ).rows[0] as { updated: number; hot: number };
    });
    expect(counts.updated).toBeGreaterThanOrEqual(pledges);
    expect(counts.hot).toBe(counts.updated);
    expect((await auditChannel(database.db, channel.id)).violations).toEqual([]);
  });
});
