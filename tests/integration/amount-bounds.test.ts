/**
 * Every balance is bounded far below 2^53, in the API and in the database: a grant past the
 * wallet bound is a 422 that changes nothing, a wallet at the bound can still pledge `all`, and
 * the CHECK constraints refuse what the API would never send.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHANNEL_SUPPLY, MAX_WALLET_BALANCE } from '../../server/domain/bounds.js';
import { pgErrorOf } from '../support/database.js';
import { asAdmin, asChatUser, balanceOf, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'bounds';
let h: Harness;

async function journalSize(): Promise<number> {
  const { rows } = await h.database.pool.query('SELECT count(*)::int AS n FROM transfers');
  return (rows[0] as { n: number }).n;
}

beforeAll(async () => {
  h = await startHarness({ label: 'amount_bounds', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0 });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

describe('amount and balance bounds', () => {
  it('refuses a grant past the wallet bound with 422 and lets a full wallet pledge all', async () => {
    const created = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions`,
      headers: asChatUser(h, CH, { login: 'whale' }), payload: { text: 'Big pot', amount: 10 },
    });
    expect(created.status).toBe(201);
    const start = await balanceOf(h, CH, 'whale');
    const before = await journalSize();

    const over = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/viewers/whale/give`, headers: asAdmin, payload: { amount: MAX_WALLET_BALANCE } });
    expect(over.status).toBe(422);
    expect(over.body.error.code).toBe('BALANCE_LIMIT');
    expect(await journalSize()).toBe(before);

    const fill = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/viewers/whale/give`, headers: asAdmin, payload: { amount: MAX_WALLET_BALANCE - start } });
    expect(fill.status, JSON.stringify(fill.body)).toBe(200);
    expect(fill.body.balance).toBe(MAX_WALLET_BALANCE);
    const one = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/viewers/whale/give`, headers: asAdmin, payload: { amount: 1 } });
    expect(one.status).toBe(422);

    const all = await call(h, {
      method: 'POST', url: `/api/v1/channels/${CH}/missions/${created.body.number}/pledges`,
      headers: asChatUser(h, CH, { login: 'whale' }), payload: { amount: 'all' },
    });
    expect(all.status, JSON.stringify(all.body)).toBe(201);
    expect(all.body.pledge.amount).toBe(MAX_WALLET_BALANCE);
    expect(all.body.balance).toBe(0);
    await expectAuditOk(h, CH);
  });

  it('the database refuses balances and amounts past the bounds', async () => {
    const db = h.runtime.db.db;
    const channel = await h.runtime.services.channels.get(CH);
    const wallet = (await h.database.pool.query(`SELECT id FROM accounts WHERE channel_id = $1 AND kind = 'wallet' LIMIT 1`, [channel.id])).rows[0] as { id: number };
    const mint = (await h.database.pool.query(`SELECT id FROM accounts WHERE channel_id = $1 AND kind = 'mint'`, [channel.id])).rows[0] as { id: number };
    expect((await pgErrorOf(db.execute(sql`UPDATE accounts SET balance = ${MAX_WALLET_BALANCE + 1} WHERE id = ${wallet.id}`)))?.code).toBe('23514');
    expect((await pgErrorOf(db.execute(sql`UPDATE accounts SET balance = ${-MAX_CHANNEL_SUPPLY - 1} WHERE id = ${mint.id}`)))?.code).toBe('23514');
    const transfer = pgErrorOf(db.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      VALUES (${channel.id}, ${mint.id}, ${wallet.id}, ${MAX_CHANNEL_SUPPLY + 1}, 'grant', 'test')`));
    expect((await transfer)?.code).toBe('23514');
    await expectAuditOk(h, CH);
  });
});
