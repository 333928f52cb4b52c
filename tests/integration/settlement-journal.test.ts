/**
 * The journal settlement writes, on real Postgres: a payout is one escrow → treasury row per batch
 * (no row per pledge), a refund one row per pledge. The database refuses to change a settled
 * pledge (migration 0006), and the ledger audit catches a payout row that is missing, too large,
 * on a mission nobody was paid for, or written per pledge.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUser } from '../../server/domain/actor.js';
import { escrowOf, getSystemAccounts, type TransferInput } from '../../server/ledger/accounts.js';
import { applyTransfers } from '../../server/ledger/transfers.js';
import type { Channel } from '../../server/services/channels.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { settleMission } from '../../server/services/settlement.js';
import { pgErrorOf } from '../support/database.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

let world: ServiceWorld;
const viewer = (i: number): ChatUser => ({ userId: `u${i}`, login: `v${i}`, displayName: `V${i}` });
const now = () => new Date();

beforeAll(async () => {
  world = await createServiceWorld('settle_journal', 'journal');
});
afterAll(async () => world?.close());

/** A channel of its own, so one test's tampering shows in no other test's audit. */
async function channelNamed(login: string): Promise<Channel> {
  await world.services.channels.create({ login });
  return world.services.channels.updateSettings(login, { requireApproval: false, minStake: 10, createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50 });
}

/** An open mission: the host's stake of 10, then 10 + i from each of `backers` viewers. */
async function mission(channel: Channel, backers: number): Promise<{ id: number; number: number; pot: number }> {
  const host: ChatUser = { userId: `host-${channel.login}`, login: channel.login, displayName: channel.login };
  const { mission: m } = await world.services.missions.propose(
    channel,
    { text: 'Do it', amount: 10, durationSeconds: 3600, proposer: host },
    { kind: 'chat', channel: channel.login, user: host, role: 'broadcaster' },
  );
  for (let i = 0; i < backers; i++) {
    const user = viewer(i);
    await world.services.missions.pledge(channel, { number: m.number, amount: 10 + i, user }, { kind: 'chat', channel: channel.login, user, role: 'viewer' });
  }
  const row = (await world.database.db.execute(sql`SELECT id FROM missions WHERE channel_id = ${channel.id} AND number = ${m.number}`)).rows[0] as { id: string };
  return { id: Number(row.id), number: m.number, pot: 10 + Array.from({ length: backers }, (_, i) => 10 + i).reduce((a, b) => a + b, 0) };
}

/** Makes the mission terminal without settling it (as the verdict does for a big one). */
const setStatus = (id: number, status: 'succeeded' | 'cancelled') =>
  world.database.db.execute(sql`UPDATE missions SET status = ${status}::mission_status, resolved_at = now() WHERE id = ${id}`);

const settlementRows = async (missionId: number) =>
  (
    await world.database.db.execute(sql`
      SELECT kind, amount::int, pledge_id, idempotency_key FROM transfers
      WHERE mission_id = ${missionId} AND kind IN ('refund', 'payout') ORDER BY id`)
  ).rows as { kind: string; amount: number; pledge_id: string | null; idempotency_key: string | null }[];

describe('the settlement journal', () => {
  it('a payout in batches writes one escrow → treasury row per batch, keyed by its pledges, and no row per pledge', async () => {
    const channel = await channelNamed('paybatches');
    const { id, pot } = await mission(channel, 24);
    await setStatus(id, 'succeeded');
    const pledgeIds = ((await world.database.db.execute(sql`SELECT id FROM pledges WHERE mission_id = ${id} ORDER BY id`)).rows as { id: string }[]).map(
      (r) => Number(r.id),
    );
    const run = await settleMission(world.database.db, id, { batchSize: 10, concurrency: 2, now });
    expect(run).toMatchObject({ settledPledges: 25, amount: pot });

    const rows = await settlementRows(id);
    expect(rows.map((r) => r.kind)).toEqual(['payout', 'payout', 'payout']);
    expect(rows.every((r) => r.pledge_id === null)).toBe(true);
    expect(rows.reduce((sum, r) => sum + r.amount, 0)).toBe(pot);
    // Ranges of 10, 10 and 5 pledges, in whichever order the two connections committed them.
    const keys = [0, 10, 20].map((from) => `payout:${id}:${pledgeIds[from]}-${pledgeIds[Math.min(from + 9, 24)]}`);
    expect(rows.map((r) => r.idempotency_key).sort()).toEqual(keys.sort());
    const { treasury } = await getSystemAccounts(world.database.db, channel.id);
    const balance = (await world.database.db.execute(sql`SELECT balance::int FROM accounts WHERE id = ${treasury}`)).rows[0] as { balance: number };
    expect(balance.balance).toBe(pot);
    expect((await auditChannel(world.database.db, channel.id)).violations).toEqual([]);

    // A second run finds every pledge settled and writes nothing.
    expect(await settleMission(world.database.db, id, { batchSize: 10, now })).toMatchObject({ settledPledges: 0, amount: 0 });
    expect(await settlementRows(id)).toHaveLength(3);
  });

  it("the verdict settles a small mission inside its own transaction: one payout row; a refund's rows are per pledge", async () => {
    const channel = await channelNamed('inline');
    const paid = await mission(channel, 3);
    const refunded = await mission(channel, 3);
    const host = { kind: 'chat' as const, channel: channel.login, user: { userId: `host-${channel.login}`, login: channel.login, displayName: channel.login }, role: 'broadcaster' as const };
    expect(await world.services.verdicts.act(channel, paid.number, 'success', host)).toMatchObject({ mission: { settled: true } });
    expect(await world.services.verdicts.act(channel, refunded.number, 'cancel', host)).toMatchObject({ mission: { settled: true } });

    expect((await settlementRows(paid.id)).map((r) => [r.kind, r.amount, r.pledge_id])).toEqual([['payout', paid.pot, null]]);
    const refunds = await settlementRows(refunded.id);
    expect(refunds.map((r) => r.kind)).toEqual(['refund', 'refund', 'refund', 'refund']);
    expect(new Set(refunds.map((r) => r.pledge_id)).size).toBe(4);
    expect((await auditChannel(world.database.db, channel.id)).violations).toEqual([]);
  });
});

describe('a settled pledge never changes (migration 0006)', () => {
  let paidPledge = 0;
  let refundedPledge = 0;
  let unsettledPledge = 0;
  let channel: Channel;

  beforeAll(async () => {
    channel = await channelNamed('settledonce');
    const paid = await mission(channel, 2);
    const refunded = await mission(channel, 2);
    const open = await mission(channel, 1);
    await setStatus(paid.id, 'succeeded');
    await setStatus(refunded.id, 'cancelled');
    await settleMission(world.database.db, paid.id, { now });
    await settleMission(world.database.db, refunded.id, { now });
    const first = async (missionId: number) =>
      Number(((await world.database.db.execute(sql`SELECT min(id) AS id FROM pledges WHERE mission_id = ${missionId}`)).rows[0] as { id: string }).id);
    paidPledge = await first(paid.id);
    refundedPledge = await first(refunded.id);
    unsettledPledge = await first(open.id);
  });

  const update = (pledgeId: number, set: ReturnType<typeof sql>) => world.database.db.execute(sql`UPDATE pledges SET ${set} WHERE id = ${pledgeId}`);

  it('refuses to re-settle a paid pledge, or to unmark it', async () => {
    const refused = await pgErrorOf(update(paidPledge, sql`settlement = 'refunded', settled_at = now()`));
    expect(refused).toEqual({ code: 'P0001', message: `pledge ${paidPledge} is settled (paid) and cannot change` });
    expect((await pgErrorOf(update(paidPledge, sql`settlement = NULL, settled_at = NULL`)))?.code).toBe('P0001');
    expect((await pgErrorOf(update(paidPledge, sql`settlement = 'paid', settled_at = now()`)))?.code).toBe('P0001');
  });

  it('refuses to re-settle a refunded pledge, or to unmark it', async () => {
    const refused = await pgErrorOf(update(refundedPledge, sql`settlement = 'paid', settled_at = now()`));
    expect(refused).toEqual({ code: 'P0001', message: `pledge ${refundedPledge} is settled (refunded) and cannot change` });
    expect((await pgErrorOf(update(refundedPledge, sql`settlement = NULL, settled_at = NULL`)))?.code).toBe('P0001');
  });

  it('still lets an unsettled pledge be settled (rolled back: the journal has no row for it)', async () => {
    const rollback = new Error('rollback');
    const outcome = await world.database.db
      .transaction(async (tx) => {
        const updated = await tx.execute(sql`UPDATE pledges SET settlement = 'paid', settled_at = now() WHERE id = ${unsettledPledge} RETURNING id`);
        expect(updated.rows).toHaveLength(1);
        throw rollback;
      })
      .catch((err: unknown) => err);
    expect(outcome).toBe(rollback);
    expect((await auditChannel(world.database.db, channel.id)).violations).toEqual([]);
  });
});

describe('the audit of payouts', () => {
  /**
   * A succeeded mission whose pledges are marked paid with `transfers` journaled instead of the
   * payout settlement writes, balances kept exact, and the mission marked settled.
   */
  async function tamperedPayout(login: string, transfers: (accounts: { escrow: number; treasury: number; mint: number }, pot: number, missionId: number) => TransferInput[]) {
    const channel = await channelNamed(login);
    const m = await mission(channel, 2);
    await setStatus(m.id, 'succeeded');
    await world.database.db.transaction(async (tx) => {
      const { treasury, mint } = await getSystemAccounts(tx, channel.id);
      const escrow = (await escrowOf(tx, m.id)).id;
      await tx.execute(sql`UPDATE pledges SET settlement = 'paid', settled_at = now() WHERE mission_id = ${m.id}`);
      await applyTransfers(tx, channel.id, transfers({ escrow, treasury, mint }, m.pot, m.id));
      await tx.execute(sql`UPDATE missions SET settled = true, settled_at = now() WHERE id = ${m.id}`);
    });
    return { channel, ...m };
  }

  it('flags a mission whose payout rows are missing, even with its escrow emptied another way', async () => {
    // Pot 31 (10 + 10 + 11): one batch row of 10 paid out, the other 21 taken to the mint.
    const { channel, number } = await tamperedPayout('missingpayout', ({ escrow, treasury, mint }, pot, missionId) => [
      { from: escrow, to: treasury, amount: 10, kind: 'payout', missionId, actor: 'test' },
      { from: escrow, to: mint, amount: pot - 10, kind: 'take', missionId, actor: 'test' },
    ]);
    const report = await auditChannel(world.database.db, channel.id);
    expect(report.ok).toBe(false);
    expect(report.violations).toEqual([{ invariant: 5, missionNumber: number, message: `mission #${number}: paid pledges 31, payout transfers 10 in 1 rows` }]);
  });

  it('flags a payout row larger than the paid pledges, even with the difference granted to the escrow', async () => {
    const { channel, number } = await tamperedPayout('bigpayout', ({ escrow, treasury, mint }, pot, missionId) => [
      { from: mint, to: escrow, amount: 5, kind: 'grant', missionId, actor: 'test' },
      { from: escrow, to: treasury, amount: pot + 5, kind: 'payout', missionId, actor: 'test' },
    ]);
    expect((await auditChannel(world.database.db, channel.id)).violations).toEqual([
      { invariant: 5, missionNumber: number, message: `mission #${number}: paid pledges 31, payout transfers 36 in 1 rows` },
    ]);
  });

  it('flags payout rows written per pledge (the shape before migration 0006)', async () => {
    const channel = await channelNamed('perpledge');
    const m = await mission(channel, 1);
    await setStatus(m.id, 'succeeded');
    await world.database.db.transaction(async (tx) => {
      const { treasury } = await getSystemAccounts(tx, channel.id);
      const escrow = (await escrowOf(tx, m.id)).id;
      const pledges = (await tx.execute(sql`UPDATE pledges SET settlement = 'paid', settled_at = now() WHERE mission_id = ${m.id} RETURNING id, amount`))
        .rows as { id: string; amount: string }[];
      await applyTransfers(
        tx,
        channel.id,
        pledges.map((p) => ({ from: escrow, to: treasury, amount: Number(p.amount), kind: 'payout', missionId: m.id, pledgeId: Number(p.id), actor: 'test' })),
      );
      await tx.execute(sql`UPDATE missions SET settled = true, settled_at = now() WHERE id = ${m.id}`);
    });
    const violations = (await auditChannel(world.database.db, channel.id)).violations;
    expect(violations).toHaveLength(2);
    expect(violations.every((v) => v.invariant === 5 && v.pledgeId !== undefined && /^payout transfer \d+ \(mission \d+, pledge \d+\)/.test(v.message))).toBe(true);
  });

  it('flags a payout on a mission whose pledges were refunded', async () => {
    const channel = await channelNamed('refundpaid');
    const m = await mission(channel, 1);
    await setStatus(m.id, 'cancelled');
    await settleMission(world.database.db, m.id, { now });
    expect((await auditChannel(world.database.db, channel.id)).violations).toEqual([]);
    await world.database.db.transaction(async (tx) => {
      const { treasury, mint } = await getSystemAccounts(tx, channel.id);
      const escrow = (await escrowOf(tx, m.id)).id;
      await applyTransfers(tx, channel.id, [
        { from: mint, to: escrow, amount: 7, kind: 'grant', missionId: m.id, actor: 'test' },
        { from: escrow, to: treasury, amount: 7, kind: 'payout', missionId: m.id, actor: 'test' },
      ]);
    });
    expect((await auditChannel(world.database.db, channel.id)).violations).toEqual([
      { invariant: 5, missionNumber: m.number, message: `mission #${m.number}: paid pledges 0, payout transfers 7 in 1 rows` },
    ]);
  });
});
