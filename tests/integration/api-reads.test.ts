/** Read endpoints: channel totals, ledger pages, leaderboard, viewer history, audit access, mission lists. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { asAdmin, asChatUser, call, createChannel, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'reads';

beforeAll(async () => {
  h = await startHarness({ label: 'reads', backend: 'postgres', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5 });
  for (const [login, text] of [['alice', 'First'], ['bob', 'Second'], ['carol', 'Third']]) {
    await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: login! }), payload: { text, amount: 100 } });
  }
  await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/1/pledges`, headers: asChatUser(h, CH, { login: 'bob' }), payload: { amount: 250 } });
  await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/2/success`, headers: asChatUser(h, CH, { login: CH, role: 'broadcaster' }) });
});
afterAll(async () => h?.close());

describe('reads', () => {
  it('channel totals satisfy circulating + escrow + treasury = minted; secrets only for admin/owner', async () => {
    const pub = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` })).body;
    const { circulating, escrow, treasury, minted } = pub.totals;
    expect(circulating + escrow + treasury).toBe(minted);
    expect({ escrow, treasury, minted }).toEqual({ escrow: 450, treasury: 100, minted: 3000 });
    expect(pub.overlayKey).toBeUndefined();
    const admin = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}`, headers: asAdmin })).body;
    expect(admin.overlayUrl).toBe(`http://localhost:3000/overlay/${CH}?key=${encodeURIComponent(admin.overlayKey)}`);
  });

  it('the ledger pages through every transfer exactly once', async () => {
    type Row = { id: number; amount: number; kind: string; pledgeId: number | null; missionNumber: number | null; from: { kind: string }; to: { kind: string } };
    const seen: number[] = [];
    const payouts: Row[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Row[]; nextCursor: string | null } } =
        await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
      seen.push(...page.body.items.map((r) => r.id));
      payouts.push(...page.body.items.filter((r) => r.kind === 'payout'));
      for (const row of page.body.items) expect(row.amount).toBeGreaterThan(0);
      cursor = page.body.nextCursor;
    } while (cursor);
    // 3 starting balances, 4 pledges, 1 payout (one row per settlement batch, naming no pledge).
    expect(payouts).toMatchObject([{ amount: 100, pledgeId: null, missionNumber: 2, from: { kind: 'escrow' }, to: { kind: 'treasury' } }]);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('/metrics counts the pledge batches the API went through, with their size and duration', async () => {
    const { body } = await h.app.inject({ method: 'GET', url: '/metrics' });
    // Bob's one pledge: one batch of one.
    expect(body).toMatch(/^mission_link_pledge_batch_size_count 1$/m);
    expect(body).toMatch(/^mission_link_pledge_batch_size_sum 1$/m);
    expect(body).toMatch(/^mission_link_pledge_batch_duration_seconds_count\{result="ok"\} 1$/m);
    expect(body).toMatch(/^mission_link_pledges_refused_total\{reason="backlog"\} 0$/m);
  });

  it('leaderboard, viewer history and filtered mission lists', async () => {
    const board = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/leaderboard` })).body.items;
    expect(board.map((v: { login: string }) => v.login)).toEqual(['alice', 'carol', 'bob']);
    const bob = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/bob` })).body;
    expect(bob).toMatchObject({ balance: 650, inEscrow: 250 });
    expect(bob.history.map((e: { kind: string }) => e.kind)).toEqual(['pledge', 'pledge', 'starting_balance']);
    const open = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions?status=open` })).body.items;
    expect(open.map((m: { number: number }) => m.number)).toEqual([3, 1]);
    const page = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions?limit=2` })).body;
    expect(page.items.map((m: { number: number }) => m.number)).toEqual([3, 2]);
    const next = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/missions?limit=2&cursor=${page.nextCursor}` })).body;
    expect(next.items.map((m: { number: number }) => m.number)).toEqual([1]);
    expect(next.nextCursor).toBeNull();
  });

  it('the audit needs the admin or the owner token', async () => {
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/audit` })).status).toBe(401);
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/audit`, headers: asChatUser(h, CH, { login: 'bob' }) })).status).toBe(403);
    const channel = await h.runtime.services.channels.get(CH);
    const { token } = await createTokenService(h.runtime.db.db).issueToken({ channelId: channel.id, role: 'owner' });
    const owner = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/audit`, headers: { authorization: `Bearer ${token}` } });
    expect(owner.body).toEqual({ ok: true, violations: [] });
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/audit`, headers: asAdmin })).body.ok).toBe(true);
  });
});
