/**
 * A refund of 10,000 pledges interrupted part-way (a crash inside the settlement job) and resumed
 * pays every backer exactly once. Pledges are seeded with set-based SQL through the real journal
 * helpers, then the verdict goes through the API and settlement through the BullMQ worker.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleMission } from '../../server/services/settlement.js';
import { asChatUser, call, createChannel, eventually, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'crashy';
const BACKERS = 10_000;
const BATCH = 1_000;

/** Seeds `count` viewers with a wallet and one pledge each on mission `n`, keeping the ledger exact. */
async function seedPledges(h: Harness, n: number, count: number): Promise<void> {
  const channel = await h.runtime.services.channels.get(CH);
  await h.runtime.db.db.transaction(async (tx) => {
    const mission = (await tx.execute(sql`SELECT id FROM missions WHERE channel_id = ${channel.id} AND number = ${n}`)).rows[0] as { id: number };
    const escrow = (await tx.execute(sql`SELECT id FROM accounts WHERE kind = 'escrow' AND mission_id = ${mission.id}`)).rows[0] as { id: number };
    const mint = (await tx.execute(sql`SELECT id FROM accounts WHERE channel_id = ${channel.id} AND kind = 'mint'`)).rows[0] as { id: number };
    await tx.execute(sql`INSERT INTO users (user_id, login, display_name)
      SELECT 'u' || g, 'backer' || g, 'Backer' || g FROM generate_series(1, ${count}) g`);
    await tx.execute(sql`INSERT INTO accounts (channel_id, kind, user_id, balance)
      SELECT ${channel.id}, 'wallet', 'u' || g, 100 - (g % 7) FROM generate_series(1, ${count}) g`);
    // Each wallet got 100 from the mint and pledged 10 + (g % 7) of it.
    await tx.execute(sql`UPDATE accounts SET balance = 100 - (10 + (substr(user_id, 2)::int % 7))
      WHERE channel_id = ${channel.id} AND kind = 'wallet' AND user_id LIKE 'u%'`);
    await tx.execute(sql`INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      SELECT ${channel.id}, ${mint.id}, a.id, 100, 'starting_balance', 'seed'
      FROM accounts a WHERE a.channel_id = ${channel.id} AND a.kind = 'wallet' AND a.user_id LIKE 'u%'`);
    await tx.execute(sql`UPDATE accounts SET balance = balance - 100 * ${count} WHERE id = ${mint.id}`);
    await tx.execute(sql`INSERT INTO pledges (channel_id, mission_id, user_id, amount)
      SELECT ${channel.id}, ${mission.id}, 'u' || g, 10 + (g % 7) FROM generate_series(1, ${count}) g`);
    await tx.execute(sql`INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor)
      SELECT ${channel.id}, w.id, ${escrow.id}, p.amount, 'pledge', p.mission_id, p.id, 'seed'
      FROM pledges p JOIN accounts w ON w.channel_id = p.channel_id AND w.kind = 'wallet' AND w.user_id = p.user_id
      WHERE p.mission_id = ${mission.id} AND p.user_id LIKE 'u%'`);
    await tx.execute(sql`UPDATE accounts SET balance = balance +
      (SELECT sum(amount) FROM pledges WHERE mission_id = ${mission.id} AND user_id LIKE 'u%') WHERE id = ${escrow.id}`);
  });
  // Autovacuum would analyze these tables soon after a real storm; do it now so plans are realistic.
  await h.runtime.db.db.execute(sql`ANALYZE users, accounts, pledges, transfers`);
}

async function walletTotals(h: Harness) {
  const channel = await h.runtime.services.channels.get(CH);
  const r = (
    await h.runtime.db.db.execute(sql`
      SELECT count(*) FILTER (WHERE balance = 100) AS whole, count(*) AS wallets
      FROM accounts WHERE channel_id = ${channel.id} AND kind = 'wallet' AND user_id LIKE 'u%'`)
  ).rows[0] as { whole: number; wallets: number };
  return { whole: Number(r.whole), wallets: Number(r.wallets) };
}

describe('settlement survives a crash part-way', () => {
  let h: Harness;
  let batches = 0;
  let crashAfter = 3;

  beforeAll(async () => {
    h = await startHarness({
      label: 'crash',
      backend: 'redis',
      settlementBatchSize: BATCH,
      onSettlementBatch: () => {
        batches++;
        if (batches === crashAfter) throw new Error('simulated crash after a committed batch');
      },
    });
    await createChannel(h, CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5 });
  });
  afterAll(async () => h?.close());

  it('a refund of 10,000 pledges interrupted after 3 batches resumes and refunds everyone exactly once', async () => {
    const proposed = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      headers: asChatUser(h, CH, { login: 'starter' }),
      payload: { text: 'Huge mission', amount: 10 },
    });
    const n = proposed.body.number;
    await seedPledges(h, n, BACKERS);
    await expectAuditOk(h, CH);

    const failed = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions/${n}/fail`,
      headers: asChatUser(h, CH, { login: CH, role: 'broadcaster' }),
    });
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ status: 'failed', settled: false });

    // The job crashed after batch 3 and BullMQ retries it with backoff; the retry resumes.
    const mission = await eventually(async () => {
      const m = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).body;
      return m.settled ? m : null;
    }, 30_000);
    expect(batches).toBeGreaterThan(crashAfter);
    expect(mission.pot).toBe(10 + Array.from({ length: BACKERS }, (_, i) => 10 + ((i + 1) % 7)).reduce((a, b) => a + b, 0));
    expect(await walletTotals(h)).toEqual({ whole: BACKERS, wallets: BACKERS });
    const refunds = (
      await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n, count(DISTINCT pledge_id)::int AS d FROM transfers WHERE kind = 'refund'`)
    ).rows[0] as { n: number; d: number };
    expect(refunds.n).toBe(BACKERS + 1);
    expect(refunds.d).toBe(BACKERS + 1);
    await expectAuditOk(h, CH);
  });

  it('two settlers racing on the same mission never pay a pledge twice', async () => {
    crashAfter = -1;
    const proposed = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      headers: asChatUser(h, CH, { login: 'starter2' }),
      payload: { text: 'Raced mission', amount: 10 },
    });
    const n = proposed.body.number;
    const channel = await h.runtime.services.channels.get(CH);
    // Reuse the seeded viewers: each pledges again, directly through the service.
    for (let i = 1; i <= 50; i++) {
      await h.runtime.services.missions.pledge(
        channel,
        { number: n, amount: 10, user: { userId: `u${i}`, login: `backer${i}`, displayName: `Backer${i}` } },
        { kind: 'admin' },
      );
    }
    const row = (await h.runtime.db.db.execute(sql`SELECT id FROM missions WHERE channel_id = ${channel.id} AND number = ${n}`)).rows[0] as { id: number };
    // Mark terminal without settling inline, then race two settlers on it.
    await h.runtime.db.db.execute(sql`UPDATE missions SET status = 'cancelled', resolved_at = now() WHERE id = ${row.id}`);
    const runs = await Promise.all([
      settleMission(h.runtime.db.db, row.id, { batchSize: 7, now: () => new Date() }),
      settleMission(h.runtime.db.db, row.id, { batchSize: 7, now: () => new Date() }),
    ]);
    expect(runs[0]!.settledPledges + runs[1]!.settledPledges).toBe(51);
    expect(runs[0]!.amount + runs[1]!.amount).toBe(10 + 50 * 10);
    await expectAuditOk(h, CH);
  });
});
