/** Concurrency and idempotency of pledges through the API, on real Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, asChatUser, balanceOf, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'storm';

beforeAll(async () => {
  h = await startHarness({ label: 'concurrency', backend: 'redis' });
  // Missions open immediately; a 37-pledge budget: starting balance 370 at 10 per pledge.
  await createChannel(h, CH, { requireApproval: false, startingBalance: 370, minStake: 10, createCooldown: 0 });
});
afterAll(async () => h?.close());

async function openMission(login: string, text: string, amount: number): Promise<number> {
  const res = await call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: asChatUser(h, CH, { login }),
    payload: { text, amount },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.status).toBe('open');
  return res.body.number;
}

const pledge = (n: number, login: string, amount: number, key?: string) =>
  call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions/${n}/pledges`,
    headers: { ...asChatUser(h, CH, { login }), ...(key ? { 'idempotency-key': key } : {}) },
    payload: { amount },
  });

describe('concurrent pledges', () => {
  it('200 concurrent pledges from one wallet covering 37: exactly 37 succeed, balance 0, never negative', async () => {
    const n = await openMission('host', 'Storm target', 10);
    // Create the wallet first so every concurrent request races on the same balance.
    expect(await balanceOf(h, CH, 'host')).toBe(360);
    await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/viewers/host/give`, headers: asAdmin, payload: { amount: 10 } });
    expect(await balanceOf(h, CH, 'host')).toBe(370);

    const results = await Promise.all(Array.from({ length: 200 }, () => pledge(n, 'host', 10)));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(37);
    expect(new Set(refused.map((r) => `${r.status} ${r.body.error.code}`))).toEqual(new Set(['422 INSUFFICIENT_FUNDS']));
    expect(await balanceOf(h, CH, 'host')).toBe(0);
    const mission = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).body;
    expect(mission.pot).toBe(10 + 370);
    await expectAuditOk(h, CH);
  });

  it('200 concurrent pledges from 200 wallets to one mission: the pot is the sum', async () => {
    const n = await openMission('opener', 'Crowd target', 10);
    const amounts = Array.from({ length: 200 }, (_, i) => 10 + (i % 17));
    const results = await Promise.all(amounts.map((amount, i) => pledge(n, `fan${i}`, amount)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const mission = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).body;
    expect(mission.pot).toBe(10 + amounts.reduce((a, b) => a + b, 0));
    expect(mission.backers).toBe(201);
    await expectAuditOk(h, CH);
  });
});

describe('idempotency', () => {
  it('the same pledge sent 5 times with one key moves points once', async () => {
    const n = await openMission('idem_host', 'Idempotent target', 10);
    const before = await balanceOf(h, CH, 'idem_host');
    const results = await Promise.all(Array.from({ length: 5 }, () => pledge(n, 'idem_host', 25, 'msg-123')));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect(new Set(results.map((r) => r.body.pledge.id)).size).toBe(1);
    expect(await balanceOf(h, CH, 'idem_host')).toBe(before - 25);
    // Sequential replays too, after the first committed.
    expect((await pledge(n, 'idem_host', 25, 'msg-123')).status).toBe(200);
    expect(await balanceOf(h, CH, 'idem_host')).toBe(before - 25);
    await expectAuditOk(h, CH);
  });

  it('the same key with a different body is refused and changes nothing', async () => {
    const n = await openMission('idem_two', 'Conflict target', 10);
    expect((await pledge(n, 'idem_two', 20, 'msg-456')).status).toBe(201);
    const balance = await balanceOf(h, CH, 'idem_two');
    const conflict = await pledge(n, 'idem_two', 30, 'msg-456');
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await balanceOf(h, CH, 'idem_two')).toBe(balance);
    await expectAuditOk(h, CH);
  });

  it('a repeated verdict with the same key is replayed, not re-applied', async () => {
    const n = await openMission('idem_three', 'Verdict target', 10);
    const headers = { ...asChatUser(h, CH, { login: CH, role: 'broadcaster' }), 'idempotency-key': 'verdict-1' };
    const first = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/success`, headers });
    const again = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/success`, headers });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('succeeded');
    await expectAuditOk(h, CH);
  });
});
