/**
 * The missions history over REST: the proposer, judge and date filters of the mission list (with
 * the existing status filter and cursor), who resolved a mission in the Mission resource, the
 * ledger's mission filter, bad filter values (a 400 naming the parameter) and who may read and write.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replaceModerators } from '../../server/twitch/moderators.js';
import { asAdmin, asChatUser, call, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'history';
const url = (query = '') => `/api/v1/channels/${CH}/missions${query}`;
const numbers = (body: { items: { number: number }[] }) => body.items.map((m) => m.number);

async function propose(login: string, text: string, amount = 100) {
  const res = await call(h, { method: 'POST', url: url(), headers: asChatUser(h, CH, { login }), payload: { text, amount, duration: '20m' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
}

async function verdict(n: number, action: string, headers: Record<string, string>, reason?: string) {
  const res = await call(h, { method: 'POST', url: url(`/${n}/${action}`), headers, payload: reason ? { reason } : undefined });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const mod = () => asChatUser(h, CH, { login: 'modmia', role: 'moderator' });
const streamer = () => asChatUser(h, CH, { login: CH, userId: '4242', role: 'broadcaster' });

beforeAll(async () => {
  h = await startHarness({ label: 'history_api', backend: 'postgres', workers: false });
  const created = await call(h, {
    method: 'POST',
    url: '/api/v1/channels',
    headers: asAdmin,
    payload: { login: CH, broadcasterId: '4242', settings: { requireApproval: false, createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50 } },
  });
  expect(created.status).toBe(201);
  // Mia judges without ever pledging: only the synced moderator list knows her login.
  const channel = await h.runtime.services.channels.get(CH);
  await replaceModerators(h.runtime.db.db, channel.id, [{ id: 'id-modmia', login: 'modmia', displayName: 'Mia' }]);
  // 1 alice (mia: success), 2 bob (streamer: fail), 3 alice (admin: cancel), 4 bob (open), 5 alice (mia: success), 6 carol (open)
  for (const [login, text] of [['alice', 'One'], ['bob', 'Two'], ['alice', 'Three'], ['bob', 'Four'], ['alice', 'Five'], ['carol', 'Six']] as const) {
    await propose(login, text);
  }
  await call(h, { method: 'POST', url: url('/1/pledges'), headers: asChatUser(h, CH, { login: 'bob' }), payload: { amount: 40 } });
  await call(h, { method: 'POST', url: url('/1/pledges'), headers: asChatUser(h, CH, { login: 'carol' }), payload: { amount: 60 } });
  await call(h, { method: 'POST', url: url('/2/pledges'), headers: asChatUser(h, CH, { login: 'carol' }), payload: { amount: 70 } });
  await verdict(1, 'success', mod());
  await verdict(2, 'fail', streamer(), 'not done');
  await verdict(3, 'cancel', asAdmin, 'duplicate');
  await verdict(5, 'success', mod());
  // Proposal times spread over three days, for the date filters.
  await h.runtime.db.db.execute(sql`
    UPDATE missions SET created_at = timestamptz '2026-03-01T10:00:00Z' + (number - 1) * interval '12 hours'
    WHERE channel_id = ${channel.id}`);
});
afterAll(async () => h?.close());

describe('the mission list filters', () => {
  it('keeps the unfiltered list newest first with its cursor, as before', async () => {
    const first = (await call(h, { method: 'GET', url: url('?limit=4') })).body;
    expect(numbers(first)).toEqual([6, 5, 4, 3]);
    expect(first.nextCursor).toBe('3');
    const rest = (await call(h, { method: 'GET', url: url(`?limit=4&cursor=${first.nextCursor}`) })).body;
    expect(numbers(rest)).toEqual([2, 1]);
    expect(rest.nextCursor).toBeNull();
  });

  it('filters by proposer login, any case, and pages through the filtered list', async () => {
    const page = (await call(h, { method: 'GET', url: url('?proposer=Alice&limit=2') })).body;
    expect(numbers(page)).toEqual([5, 3]);
    const next = (await call(h, { method: 'GET', url: url(`?proposer=alice&limit=2&cursor=${page.nextCursor}`) })).body;
    expect(numbers(next)).toEqual([1]);
    expect(next.nextCursor).toBeNull();
    expect(numbers((await call(h, { method: 'GET', url: url('?proposer=nobody_here') })).body)).toEqual([]);
  });

  it('filters by the login of the chat user who judged, and shows who resolved each mission', async () => {
    const byMia = (await call(h, { method: 'GET', url: url('?judge=modmia') })).body;
    expect(numbers(byMia)).toEqual([5, 1]);
    expect(byMia.items[0].resolvedBy).toEqual({ kind: 'user', userId: 'id-modmia', login: 'modmia', displayName: 'Mia', tokenId: null });
    // The broadcaster is known by the channel's own login and broadcaster id.
    expect(numbers((await call(h, { method: 'GET', url: url(`?judge=${CH}`) })).body)).toEqual([2]);
    // Someone who never judged (alice proposed) matches nothing.
    expect(numbers((await call(h, { method: 'GET', url: url('?judge=alice') })).body)).toEqual([]);
    const all = (await call(h, { method: 'GET', url: url() })).body.items as Array<{ number: number; resolvedBy: unknown; durationSeconds: number; settledAt: string | null }>;
    const byNumber = new Map(all.map((m) => [m.number, m]));
    expect(byNumber.get(3)!.resolvedBy).toEqual({ kind: 'admin', userId: null, login: null, displayName: null, tokenId: null });
    expect(byNumber.get(4)!.resolvedBy).toBeNull();
    expect(byNumber.get(4)!.durationSeconds).toBe(1200);
    expect(byNumber.get(1)!.settledAt).not.toBeNull();
  });

  it('filters by proposal time: since inclusive, until exclusive, dates or timestamps', async () => {
    // Proposed 03-01 10:00, 22:00, 03-02 10:00, 22:00, 03-03 10:00, 22:00.
    expect(numbers((await call(h, { method: 'GET', url: url('?since=2026-03-02&until=2026-03-03') })).body)).toEqual([4, 3]);
    expect(numbers((await call(h, { method: 'GET', url: url('?since=2026-03-02T22:00:00Z') })).body)).toEqual([6, 5, 4]);
    expect(numbers((await call(h, { method: 'GET', url: url('?until=2026-03-01T22:00:00Z') })).body)).toEqual([1]);
  });

  it('combines every filter with the status filter', async () => {
    const body = (await call(h, { method: 'GET', url: url('?status=succeeded,failed&proposer=alice&judge=modmia&since=2026-03-02') })).body;
    expect(numbers(body)).toEqual([5]);
    expect(numbers((await call(h, { method: 'GET', url: url('?status=open&proposer=bob') })).body)).toEqual([4]);
  });

  it.each([
    ['proposer=bad-login!', 'querystring.proposer'],
    ['judge=x', 'querystring.judge'],
    ['since=yesterday', 'since'],
    ['until=2026-02-30', 'until'],
    ['since=2026-03-03&until=2026-03-02', 'since must be before until'],
    ['status=done', 'querystring.status'],
  ])('refuses %s with a 400 naming the parameter', async (query, named) => {
    const res = await call(h, { method: 'GET', url: url(`?${query}`) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION');
    expect(res.body.error.message).toContain(named);
  });
});

describe("the ledger's mission filter", () => {
  type Row = { id: number; amount: number; kind: string; missionNumber: number | null; pledgeId: number | null };
  async function rowsOf(n: number, limit: number): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Row[]; nextCursor: string | null } } = await call(h, {
        method: 'GET',
        url: `/api/v1/channels/${CH}/ledger?mission=${n}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(res.status).toBe(200);
      rows.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return rows;
  }

  it("returns only the mission's pledges and payout, paging in id order", async () => {
    const rows = await rowsOf(1, 2);
    expect(rows.map((r) => r.kind)).toEqual(['pledge', 'pledge', 'pledge', 'payout']);
    expect(new Set(rows.map((r) => r.missionNumber))).toEqual(new Set([1]));
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((a, b) => a - b));
    const pledged = rows.filter((r) => r.kind === 'pledge').reduce((sum, r) => sum + r.amount, 0);
    expect(pledged).toBe(200);
    expect(rows.find((r) => r.kind === 'payout')!.amount).toBe(200);
  });

  it('matches the unfiltered journal, row for row', async () => {
    const all = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?limit=1000` })).body.items as Row[];
    for (const n of [1, 2, 3, 4]) {
      expect(await rowsOf(n, 100)).toEqual(all.filter((r) => r.missionNumber === n));
    }
    const refunds = (await rowsOf(2, 100)).filter((r) => r.kind === 'refund');
    expect(refunds.map((r) => r.amount).sort((a, b) => a - b)).toEqual([70, 100]);
  });

  it('refuses a bad mission number with a 400 naming it, and an unknown one with a 404', async () => {
    const bad = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?mission=0` });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('querystring.mission');
    const unknown = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?mission=99` });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('MISSION_NOT_FOUND');
  });
});

describe('who may read and write', () => {
  it('reads stay public, a proposal without a credential is a 401 and changes nothing', async () => {
    expect((await call(h, { method: 'GET', url: url('?proposer=alice') })).status).toBe(200);
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?mission=1` })).status).toBe(200);
    expect((await call(h, { method: 'GET', url: url('/1/pledges') })).status).toBe(200);
    const before = numbers((await call(h, { method: 'GET', url: url() })).body);
    const anonymous = await call(h, { method: 'POST', url: url(), payload: { text: 'Sneaky', amount: 10 } });
    expect(anonymous.status).toBe(401);
    expect(numbers((await call(h, { method: 'GET', url: url() })).body)).toEqual(before);
  });

  it('an admin proposes for a named chat user only: without one it is a 400 naming the proposer', async () => {
    const res = await call(h, { method: 'POST', url: url(), headers: asAdmin, payload: { text: 'Admin run', amount: 10, duration: '20m' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('proposer');
  });

  it('the ledger still audits clean', async () => {
    await expectAuditOk(h, CH);
  });
});
