/**
 * The viewer routes of the dashboard's viewer pages: the search (who may list viewers, prefixes of
 * logins and of Korean display names, pages that cover every match once), one viewer's pledges
 * with their missions, the ledger's viewer filter, give/take with a reason, and bad queries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatUser } from '../../server/domain/actor.js';
import { createTokenService } from '../../server/services/tokens.js';
import { ensureViewer } from '../../server/services/viewers.js';
import { asAdmin, asChatUser, balanceOf, call, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'viewerchan';
const OTHER = 'viewerother';
const tokens = { owner: '', moderator: '', otherOwner: '' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const PEOPLE: ChatUser[] = [
  { userId: '101', login: 'kimchi_lover', displayName: '김치러버' },
  { userId: '102', login: 'kimberly', displayName: 'Kimberly' },
  { userId: '103', login: 'seoul_guy', displayName: '김서울' },
  { userId: '104', login: 'kimono', displayName: 'KIMONO' },
  { userId: '105', login: 'alpha_kim', displayName: 'Kim_Alpha' },
  { userId: '106', login: 'bravo', displayName: 'Bravo' },
];

beforeAll(async () => {
  h = await startHarness({ label: 'viewers', backend: 'postgres', workers: false });
  await createChannel(h, CH, { requireApproval: false, createCooldown: 0, maxOpenMissionsPerViewer: 5, currencyName: 'gems' });
  await createChannel(h, OTHER, { createCooldown: 0 });
  const channel = await h.runtime.services.channels.get(CH);
  for (const person of PEOPLE) await ensureViewer(h.runtime.db.db, channel, person);
  // A user known only in the other channel is not one of this channel's viewers.
  await ensureViewer(h.runtime.db.db, await h.runtime.services.channels.get(OTHER), { userId: '201', login: 'kimelsewhere', displayName: '김다른' });
  const service = createTokenService(h.runtime.db.db);
  tokens.owner = (await service.issueToken({ channelId: channel.id, role: 'owner' })).token;
  tokens.moderator = (await service.issueToken({ channelId: channel.id, role: 'moderator' })).token;
  tokens.otherOwner = (await service.issueToken({ channelId: (await h.runtime.services.channels.get(OTHER)).id, role: 'owner' })).token;
});
afterAll(async () => h?.close());

const search = (query: string, headers: Record<string, string> = bearer(tokens.moderator)) =>
  call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers${query}`, headers });
const logins = (body: { items: Array<{ login: string }> }) => body.items.map((v) => v.login);

describe('GET /channels/:channel/viewers', () => {
  it('is for the channel owner, its moderators and the admin only', async () => {
    expect((await search('', {})).status).toBe(401);
    expect((await search('', bearer('ml_not-a-real-token'))).status).toBe(401);
    expect((await search('', asChatUser(h, CH, { login: 'bravo', userId: '106', role: 'moderator' }))).status).toBe(403);
    expect((await search('', bearer(tokens.otherOwner))).status).toBe(403);
    for (const headers of [bearer(tokens.owner), bearer(tokens.moderator), asAdmin]) {
      const res = await search('', headers);
      expect(res.status).toBe(200);
      expect(logins(res.body)).toEqual(['alpha_kim', 'bravo', 'kimberly', 'kimchi_lover', 'kimono', 'seoul_guy']);
    }
  });

  it('matches a login prefix in any case, logins first, then display names; Viewer shape', async () => {
    const res = await search('?q=KIM');
    expect(res.status).toBe(200);
    // kimelsewhere has no wallet here; Kim_Alpha matches by display name only, after the logins.
    expect(logins(res.body)).toEqual(['kimberly', 'kimchi_lover', 'kimono', 'alpha_kim']);
    expect(res.body.items[0]).toEqual({ userId: '102', login: 'kimberly', displayName: 'Kimberly', balance: 1000, inEscrow: 0 });
    expect(res.body.nextCursor).toBeNull();
  });

  it('matches a Korean display-name prefix, composed or decomposed', async () => {
    expect(logins((await search(`?q=${encodeURIComponent('김')}`)).body)).toEqual(['seoul_guy', 'kimchi_lover']);
    expect(logins((await search(`?q=${encodeURIComponent('김치')}`)).body)).toEqual(['kimchi_lover']);
    expect(logins((await search(`?q=${encodeURIComponent('김치'.normalize('NFD'))}`)).body)).toEqual(['kimchi_lover']);
    expect(logins((await search(`?q=${encodeURIComponent('김없')}`)).body)).toEqual([]);
  });

  it('treats LIKE characters as text: an underscore matches only an underscore', async () => {
    expect(logins((await search('?q=kimchi_')).body)).toEqual(['kimchi_lover']);
    expect(logins((await search('?q=kimchi%25')).body)).toEqual([]);
    expect(logins((await search('?q=kimchix')).body)).toEqual([]);
  });

  it('pages with its cursor through every match exactly once, across logins and display names', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: { items: Array<{ login: string }>; nextCursor: string | null } } = await search(
        `?q=kim&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...logins(res.body));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['kimberly', 'kimchi_lover', 'kimono', 'alpha_kim']);
  });

  it('refuses a bad query with a 400 that names the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      [`?q=${'a'.repeat(65)}`, /querystring\.q/],
      ['?q=a%00b', /querystring\.q/],
      ['?limit=0', /querystring\.limit/],
      ['?limit=abc', /querystring\.limit/],
      ['?cursor=not!base64', /querystring\.cursor/],
      ['?cursor=bm90IGpzb24', /cursor/],
      [`?cursor=${Buffer.from(JSON.stringify(['x', 'a', 'b'])).toString('base64url')}`, /cursor/],
    ];
    for (const [query, message] of cases) {
      const res = await search(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
      expect(res.body.error.message, query).toMatch(message);
    }
    expect((await call(h, { method: 'GET', url: '/api/v1/channels/nochannel/viewers', headers: asAdmin })).status).toBe(404);
  });
});

describe('the API description', () => {
  it('documents the new routes and parameters', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; requestBody?: unknown }>> };
    expect(doc.paths['/api/v1/channels/{channel}/viewers']?.get?.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['q', 'cursor', 'limit']));
    expect(doc.paths['/api/v1/channels/{channel}/viewers/{login}/pledges']?.get).toBeDefined();
    expect(doc.paths['/api/v1/channels/{channel}/ledger']?.get?.parameters?.map((p) => p.name)).toContain('viewer');
    expect(JSON.stringify(doc.paths['/api/v1/channels/{channel}/viewers/{login}/give']?.post?.requestBody)).toContain('reason');
  });
});

describe("a viewer's pledges, ledger rows and give/take", () => {
  const mod = () => asChatUser(h, CH, { login: 'bravo', userId: '106', role: 'moderator' });

  beforeAll(async () => {
    const kimberly = asChatUser(h, CH, { login: 'kimberly', userId: '102' });
    for (const text of ['First run', 'Second run']) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions`, headers: asChatUser(h, CH, { login: 'kimono', userId: '104' }), payload: { text, amount: 50 } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    for (const [n, amount] of [[1, 100], [2, 70]] as const) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/pledges`, headers: kimberly, payload: { amount } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const failed = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/1/fail`, headers: asChatUser(h, CH, { login: CH, role: 'broadcaster' }) });
    expect(failed.status, JSON.stringify(failed.body)).toBe(200);
  });

  it('lists the pledges newest first with their missions and settlements, paged', async () => {
    const res = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/kimberly/pledges` });
    expect(res.status).toBe(200);
    expect(res.body.items).toMatchObject([
      { missionNumber: 2, amount: 70, settlement: null, viewer: { login: 'kimberly' }, mission: { number: 2, text: 'Second run', status: 'open', settled: false } },
      { missionNumber: 1, amount: 100, settlement: 'refunded', mission: { number: 1, text: 'First run', status: 'failed' } },
    ]);
    const first = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/kimberly/pledges?limit=1` });
    expect(first.body.items.map((p: { missionNumber: number }) => p.missionNumber)).toEqual([2]);
    const second = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/kimberly/pledges?limit=1&cursor=${first.body.nextCursor}` });
    expect(second.body.items.map((p: { missionNumber: number }) => p.missionNumber)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
    // The viewer resource agrees: 70 points are still at stake.
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/kimberly` })).body).toMatchObject({ balance: 930, inEscrow: 70 });
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/nobody_here/pledges` })).status).toBe(404);
    const bad = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/viewers/kimberly/pledges?cursor=x1` });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/cursor/);
  });

  it('filters the ledger to one viewer, same row shape, oldest first', async () => {
    const all = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?limit=1000` })).body.items as Array<{ id: number; from: { userId: string | null }; to: { userId: string | null } }>;
    const expected = all.filter((r) => r.from.userId === '102' || r.to.userId === '102');
    const res = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?viewer=kimberly` });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(expected);
    expect(res.body.items.map((r: { kind: string }) => r.kind)).toEqual(['starting_balance', 'pledge', 'pledge', 'refund']);
    const page = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?viewer=kimberly&limit=3` });
    const rest = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?viewer=kimberly&limit=3&cursor=${page.body.nextCursor}` });
    expect([...page.body.items, ...rest.body.items]).toEqual(expected);
    expect(rest.body.nextCursor).toBeNull();
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?viewer=kimelsewhere` })).status).toBe(404);
    const bad = await call(h, { method: 'GET', url: `/api/v1/channels/${CH}/ledger?viewer=Not%20A%20Login` });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/querystring\.viewer/);
  });

  it('gives and takes with a reason; a bad reason or too big a take is refused and changes nothing', async () => {
    const url = (d: string) => `/api/v1/channels/${CH}/viewers/bravo/${d}`;
    const given = await call(h, { method: 'POST', url: url('give'), headers: { ...mod(), 'idempotency-key': 'give-1' }, payload: { amount: 250, reason: 'Won the raffle 🎉' } });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    expect(given.body).toMatchObject({ login: 'bravo', balance: 1250 });
    const taken = await call(h, { method: 'POST', url: url('take'), headers: bearer(tokens.owner), payload: { amount: 50, reason: '스팸' } });
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body.balance).toBe(1200);

    for (const reason of ['', '   ', 'x'.repeat(201), 'tab\there']) {
      const res = await call(h, { method: 'POST', url: url('give'), headers: bearer(tokens.owner), payload: { amount: 5, reason } });
      expect(res.status, JSON.stringify(reason)).toBe(400);
      expect(res.body.error.message).toMatch(/body\.reason/);
    }
    const tooMuch = await call(h, { method: 'POST', url: url('take'), headers: bearer(tokens.owner), payload: { amount: 5000, reason: 'too much' } });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toEqual({ code: 'INSUFFICIENT_FUNDS', message: 'Balance 1200 is less than 5000' });
    const viewer = await call(h, { method: 'POST', url: url('give'), headers: asChatUser(h, CH, { login: 'kimono', userId: '104' }), payload: { amount: 5, reason: 'me' } });
    expect(viewer.status).toBe(403);
    expect(await balanceOf(h, CH, 'bravo')).toBe(1200);
    await expectAuditOk(h, CH);
  });
});
