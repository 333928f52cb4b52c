/** Full mission lifecycles through the REST API on real Postgres and Redis, audit ok after each. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, asChatUser, balanceOf, call, createChannel, eventually, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'lifecycle';
const mod = { login: 'modmia', role: 'moderator' as const };
const streamer = { login: CH, role: 'broadcaster' as const };

/** The same lifecycle on both BullMQ backends (and both event buses): Redis, and Postgres alone. */
describe.each(['redis', 'postgres'] as const)('on the %s backend', (backend) => {
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ label: `lifecycle_${backend}`, backend });
  await createChannel(h, CH, { startingBalance: 1000, minStake: 10, createCooldown: 0, maxOpenMissionsPerViewer: 5, maxOpenMissions: 20 });
});
afterAll(async () => h?.close());

async function propose(login: string, text: string, amount = 100, extra: Record<string, unknown> = {}) {
  return call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: asChatUser(h, CH, { login }),
    payload: { text, amount, ...extra },
  });
}
const act = (n: number, action: string, who: Parameters<typeof asChatUser>[2], payload?: object) =>
  call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/${action}`, headers: asChatUser(h, CH, who), payload });
const pledge = (n: number, login: string, amount: number | string) =>
  call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/pledges`, headers: asChatUser(h, CH, { login }), payload: { amount } });
const treasury = async () => (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` })).body.totals.treasury as number;

describe('mission lifecycle', () => {
  it('propose → approve → pledges → success pays the pot to the treasury', async () => {
    const proposed = await propose('alice', 'Beat the boss without dying', 100);
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ status: 'pending', pot: 100, backers: 1, proposer: { login: 'alice' } });
    const n = proposed.body.number;
    expect((await pledge(n, 'bob', 50)).body.error.code).toBe('MISSION_NOT_OPEN');

    const approved = await act(n, 'approve', mod);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('open');
    expect(Date.parse(approved.body.deadline) - Date.parse(approved.body.openedAt)).toBe(30 * 60 * 1000);

    expect((await pledge(n, 'bob', 200)).status).toBe(201);
    expect((await pledge(n, 'carol', 'half')).body.pledge.amount).toBe(500);
    const third = await pledge(n, 'bob', 300);
    expect(third.body.mission).toMatchObject({ pot: 1100, backers: 3 });

    const before = await treasury();
    const done = await act(n, 'success', streamer);
    expect(done.body).toMatchObject({ status: 'succeeded', pot: 1100, settled: true });
    expect((await treasury()) - before).toBe(1100);
    expect(await balanceOf(h, CH, 'alice')).toBe(900);
    expect(await balanceOf(h, CH, 'bob')).toBe(500);
    expect(await balanceOf(h, CH, 'carol')).toBe(500);

    const pledges = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}/pledges` });
    expect(pledges.body.items.map((p: { settlement: string }) => p.settlement)).toEqual(['paid', 'paid', 'paid', 'paid']);
    await expectAuditOk(h);
  });

  it('fail refunds every backer to the point', async () => {
    const n = (await propose('dave', 'No deaths this run', 40)).body.number;
    await act(n, 'approve', mod);
    await pledge(n, 'erin', 333);
    await pledge(n, 'frank', 1);
    await pledge(n, 'frank', 10);
    const before = { dave: await balanceOf(h, CH, 'dave'), erin: await balanceOf(h, CH, 'erin'), frank: await balanceOf(h, CH, 'frank') };
    expect(before).toEqual({ dave: 960, erin: 667, frank: 990 });
    const failed = await act(n, 'fail', mod);
    expect(failed.body).toMatchObject({ status: 'failed', settled: true, pot: 383 });
    expect(await balanceOf(h, CH, 'dave')).toBe(1000);
    expect(await balanceOf(h, CH, 'erin')).toBe(1000);
    expect(await balanceOf(h, CH, 'frank')).toBe(1000);
    await expectAuditOk(h);
  });
});

describe('other endings', () => {
  it('reject refunds the proposer and records the reason', async () => {
    const n = (await propose('gina', 'Speedrun in 10 minutes', 250)).body.number;
    expect(await balanceOf(h, CH, 'gina')).toBe(750);
    const viewerTry = await act(n, 'reject', { login: 'bob' }, { reason: 'nope' });
    expect(viewerTry.status).toBe(403);
    const rejected = await act(n, 'reject', mod, { reason: 'not today' });
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'not today', settled: true });
    expect(await balanceOf(h, CH, 'gina')).toBe(1000);
    await expectAuditOk(h);
  });

  it('the proposer may cancel alone, not once others pledged; a moderator always may', async () => {
    const solo = (await propose('hank', 'Solo cancel', 20)).body.number;
    await act(solo, 'approve', mod);
    expect((await act(solo, 'cancel', { login: 'hank' })).body.status).toBe('cancelled');
    expect(await balanceOf(h, CH, 'hank')).toBe(1000);

    const shared = (await propose('hank', 'Shared cancel', 20)).body.number;
    await act(shared, 'approve', mod);
    await pledge(shared, 'ivy', 30);
    expect((await act(shared, 'cancel', { login: 'hank' })).status).toBe(403);
    expect((await act(shared, 'cancel', mod, { reason: 'stream ending' })).body).toMatchObject({ status: 'cancelled', reason: 'stream ending' });
    expect(await balanceOf(h, CH, 'ivy')).toBe(1000);
    await expectAuditOk(h);
  });

  it('extend moves the deadline; wrong states are refused with 409', async () => {
    const n = (await propose('jack', 'Extend me', 20)).body.number;
    expect((await act(n, 'extend', mod, { duration: '10m' })).status).toBe(409);
    const opened = (await act(n, 'approve', mod)).body;
    const extended = await act(n, 'extend', mod, { duration: '10m' });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.deadline) - Date.parse(opened.deadline)).toBe(10 * 60 * 1000);
    expect((await act(n, 'approve', mod)).body.error.code).toBe('MISSION_NOT_PENDING');
    await act(n, 'success', streamer);
    expect((await act(n, 'fail', streamer)).status).toBe(409);
    expect((await pledge(n, 'kim', 10)).body.error.code).toBe('MISSION_NOT_OPEN');
    await expectAuditOk(h);
  });

  it('deadline → closed → grace over → failed and refunded, driven by jobs', async () => {
    await call(h, {
      method: 'PATCH',
      url: `/api/v1/channels/${CH}/settings`,
      headers: asAdmin,
      payload: { minDuration: 1, verdictGrace: 1 },
    });
    const n = (await propose('lena', 'Quick one', 100, { duration: '1s' })).body.number;
    await act(n, 'approve', mod);
    await pledge(n, 'mo', 100);
    const seen = new Set<string>();
    const final = await eventually(async () => {
      const m = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).body;
      seen.add(m.status);
      return m.status === 'failed' && m.settled ? m : null;
    });
    expect(seen.has('closed') || final.reason === 'no verdict before the grace period ended').toBe(true);
    expect(final.reason).toBe('no verdict before the grace period ended');
    expect(await balanceOf(h, CH, 'lena')).toBe(1000);
    expect(await balanceOf(h, CH, 'mo')).toBe(1000);
    await expectAuditOk(h);
  });

  it('a closed mission can still be judged within the grace period', async () => {
    await call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { verdictGrace: 600 } });
    const n = (await propose('nina', 'Judged late', 100, { duration: '1s' })).body.number;
    await act(n, 'approve', mod);
    await eventually(async () => (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).body.status === 'closed');
    const before = await treasury();
    expect((await act(n, 'success', streamer)).body.status).toBe('succeeded');
    expect((await treasury()) - before).toBe(100);
    await expectAuditOk(h);
  });

  it('a pending mission not approved in time is rejected and refunded', async () => {
    await call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { pendingTimeout: 1 } });
    const n = (await propose('omar', 'Never approved', 100)).body.number;
    const final = await eventually(async () => {
      const m = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions/${n}` })).body;
      return m.status === 'rejected' && m.settled ? m : null;
    });
    expect(final.reason).toBe('not approved in time');
    expect(await balanceOf(h, CH, 'omar')).toBe(1000);
    await call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { pendingTimeout: 600 } });
    await expectAuditOk(h);
  });
});
});
