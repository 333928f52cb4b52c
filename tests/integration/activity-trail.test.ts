/**
 * The audit trail through the real service: every write route that records leaves exactly one
 * entry with the right action, source and actor; a refused or failed attempt leaves none; a
 * replayed idempotent request leaves no second one; the worker's timers leave `worker` entries;
 * sign-in, logout, tokens and imports are recorded; the database itself refuses to change or
 * delete an entry. The token and session routes and the public board's pledge are in
 * `activity-trail-access.test.ts`.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_LINE_ORIGIN } from '../../server/domain/activity-origin.js';
import { applyImport, planImport } from '../../server/import/points-import.js';
import { createTokenService } from '../../server/services/tokens.js';
import { pgErrorOf } from '../support/database.js';
import { browserSession, signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { asAdmin, asChatUser, call, createChannel, eventually, expectAuditOk, startHarness, type Harness } from '../support/harness.js';
import { trailOf, type TrailRow } from '../support/trail.js';

const CH = 'act_home';
const OTHER = 'act_other';

let h: Harness;
let homeId = 0;
const tokens = { owner: { id: 0, token: '' }, moderator: { id: 0, token: '' } };
const sessions: Record<'admin' | 'owner' | 'moderator', BrowserSession> = {} as never;
let proposals = 0;

type Row = TrailRow;
const db = () => h.runtime.db.db;
const lastId = () => trailOf(h).lastId();
const since = (mark: number) => trailOf(h).since(mark);

const bot = (login: string, role: 'viewer' | 'moderator' | 'broadcaster' = 'viewer', userId?: string) =>
  asChatUser(h, CH, { login, role, ...(userId ? { userId } : {}) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A fresh mission proposed by a fresh chat viewer (pending); approved by the admin when `open`. */
async function freshMission(open: boolean): Promise<number> {
  proposals++;
  const res = await call(h, {
    method: 'POST',
    url: `/api/v1/channels/${CH}/missions`,
    headers: bot(`proposer${proposals}`, 'viewer', `p${proposals}`),
    payload: { text: `Mission ${proposals}`, amount: 10 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const n = res.body.number as number;
  if (open) expect((await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/${n}/approve`, headers: asAdmin })).status).toBe(200);
  return n;
}

const recorded = (request: Parameters<typeof call>[1]) => trailOf(h).recorded(request);

beforeAll(async () => {
  h = await startHarness({ label: 'activity', backend: 'postgres' });
  const settings = { createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50, requireApproval: true };
  await createChannel(h, CH, settings);
  await createChannel(h, OTHER, settings);
  homeId = (await h.runtime.services.channels.get(CH)).id;
  const service = createTokenService(db());
  tokens.owner = await service.issueToken({ channelId: homeId, role: 'owner' });
  tokens.moderator = await service.issueToken({ channelId: homeId, role: 'moderator' });
  sessions.admin = await signInAsAdmin(h.app);
  // The home channel's broadcaster id is unresolved, so its broadcaster is known by login.
  sessions.owner = await browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId: `id-${CH}`, login: CH, displayName: CH })).token);
  await db().execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${homeId}, '7001', 'homemod', 'HomeMod')`);
  sessions.moderator = await browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId: '7001', login: 'homemod', displayName: 'homemod' })).token);
  await freshMission(true); // proposer1 has a wallet: the target of give and take
});
afterAll(async () => h?.close());

describe('each recording write route leaves exactly one entry', () => {
  it('propose, relayed by the bot token: mission.proposed, chat, the viewer, with the bot token id', async () => {
    const { status, body, rows } = await recorded({
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      headers: bot('alice', 'viewer', 'u-alice'),
      payload: { text: 'No deaths this run', amount: 100 },
    });
    expect(status).toBe(201);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel_id: homeId,
      action: 'mission.proposed',
      source: 'chat',
      actor_kind: 'user',
      actor_user_id: 'u-alice',
      actor_login: 'alice',
      mission_number: body.number,
      subject_login: 'alice',
      amount: 100,
    });
    expect(rows[0]!.actor_token_id).toEqual(expect.any(Number));
  });

  const verdicts = [
    { path: 'approve', open: false, who: () => bearer(tokens.moderator.token), action: 'mission.approved', source: 'api', kind: 'token' },
    { path: 'reject', open: false, who: () => asAdmin, action: 'mission.rejected', source: 'api', kind: 'admin', reason: 'too easy' },
    { path: 'success', open: true, who: () => sessions.owner.write, action: 'mission.succeeded', source: 'dashboard', kind: 'user', login: CH },
    { path: 'fail', open: true, who: () => sessions.moderator.write, action: 'mission.failed', source: 'dashboard', kind: 'user', login: 'homemod' },
    { path: 'cancel', open: true, who: () => bot('chatmod', 'moderator'), action: 'mission.cancelled', source: 'chat', kind: 'user', login: 'chatmod', reason: 'duplicate' },
  ] as const;
  for (const v of verdicts) {
    it(`${v.path}: ${v.action}, ${v.source}, ${v.kind}`, async () => {
      const n = await freshMission(v.open);
      const reason = 'reason' in v ? v.reason : undefined;
      const { status, rows } = await recorded({
        method: 'POST',
        url: `/api/v1/channels/${CH}/missions/${n}/${v.path}`,
        headers: v.who(),
        ...(reason ? { payload: { reason } } : {}),
      });
      expect(status).toBe(200);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ channel_id: homeId, action: v.action, source: v.source, actor_kind: v.kind, mission_number: n, reason: reason ?? null });
      if ('login' in v) expect(rows[0]!.actor_login).toBe(v.login);
      if (v.kind === 'token') expect(rows[0]!.actor_token_id).toBe(tokens.moderator.id);
      if (v.kind === 'admin') expect(rows[0]).toMatchObject({ actor_login: null, actor_user_id: null });
    });
  }

  it('extend, from the admin session: mission.extended with the new deadline', async () => {
    const n = await freshMission(true);
    const { status, body, rows } = await recorded({
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions/${n}/extend`,
      headers: sessions.admin.write,
      payload: { duration: '5m' },
    });
    expect(status).toBe(200);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'mission.extended', source: 'dashboard', actor_kind: 'admin', mission_number: n });
    expect(rows[0]!.details).toMatchObject({ deadline: body.deadline, extensionSeconds: 300 });
  });

  it('give and take, with and without a reason: points.given / points.taken about the viewer', async () => {
    const give = await recorded({
      method: 'POST',
      url: `/api/v1/channels/${CH}/viewers/proposer1/give`,
      headers: bearer(tokens.owner.token),
      payload: { amount: 25, reason: 'raffle winner' },
    });
    expect(give.status).toBe(200);
    expect(give.rows).toHaveLength(1);
    expect(give.rows[0]).toMatchObject({
      action: 'points.given',
      source: 'api',
      actor_kind: 'token',
      actor_token_id: tokens.owner.id,
      subject_login: 'proposer1',
      amount: 25,
      reason: 'raffle winner',
    });
    const take = await recorded({
      method: 'POST',
      url: `/api/v1/channels/${CH}/viewers/proposer1/take`,
      headers: bot(CH, 'broadcaster'),
      payload: { amount: 5 },
    });
    expect(take.status).toBe(200);
    expect(take.rows).toHaveLength(1);
    expect(take.rows[0]).toMatchObject({ action: 'points.taken', source: 'chat', actor_login: CH, subject_login: 'proposer1', amount: 5, reason: null });
    await expectAuditOk(h, CH);
  });

  it('settings: only the keys that changed, with before and after; a patch that changes nothing records nothing', async () => {
    const changed = await recorded({
      method: 'PATCH',
      url: `/api/v1/channels/${CH}/settings`,
      headers: bearer(tokens.owner.token),
      payload: { minStake: 20, maxOpenMissions: 50, accrual: { chatBonus: 3 } },
    });
    expect(changed.status).toBe(200);
    expect(changed.rows).toHaveLength(1);
    expect(changed.rows[0]).toMatchObject({ action: 'settings.changed', source: 'api', actor_kind: 'token' });
    const before = (await h.runtime.services.channels.get(CH)).settings;
    expect(changed.rows[0]!.details).toEqual({
      changes: [
        { key: 'accrual.chatBonus', before: expect.any(Number), after: 3 },
        { key: 'minStake', before: 10, after: 20 },
      ],
    });
    expect(before.minStake).toBe(20);

    const same = await recorded({ method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { minStake: 20 } });
    expect(same.status).toBe(200);
    expect(same.rows).toEqual([]);
    await call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { minStake: 10 } });
  });

  it('rotate the overlay key, create a channel, pause and resume', async () => {
    const rotated = await recorded({ method: 'POST', url: `/api/v1/channels/${CH}/overlay-key`, headers: sessions.admin.write });
    expect(rotated.status).toBe(200);
    expect(rotated.rows.map((r) => [r.action, r.source, r.actor_kind])).toEqual([['overlay.key_rotated', 'dashboard', 'admin']]);

    const created = await recorded({ method: 'POST', url: '/api/v1/channels', headers: asAdmin, payload: { login: 'act_new' } });
    expect(created.status).toBe(201);
    const newId = (await h.runtime.services.channels.get('act_new')).id;
    expect(created.rows).toHaveLength(1);
    expect(created.rows[0]).toMatchObject({ channel_id: newId, action: 'channel.created', source: 'api', actor_kind: 'admin' });

    const paused = await recorded({ method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: sessions.moderator.write });
    expect(paused.status).toBe(200);
    expect(paused.rows.map((r) => [r.action, r.source, r.actor_login])).toEqual([['channel.paused', 'dashboard', 'homemod']]);
    // Already paused: the flag does not change, and nothing is recorded.
    expect((await recorded({ method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: asAdmin })).rows).toEqual([]);
    const resumed = await recorded({ method: 'POST', url: `/api/v1/channels/${CH}/resume`, headers: bot('chatmod', 'moderator') });
    expect(resumed.status).toBe(200);
    expect(resumed.rows.map((r) => [r.action, r.source, r.actor_login])).toEqual([['channel.resumed', 'chat', 'chatmod']]);
  });
});

describe('refused and failed attempts leave no entry; replays leave one', () => {
  it.each([
    ['403: a viewer approves', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/missions/${await freshMission(false)}/approve`, headers: bot('plainviewer') }), 403],
    ['403: a moderator changes settings', async () => ({ method: 'PATCH' as const, url: `/api/v1/channels/${CH}/settings`, headers: bearer(tokens.moderator.token), payload: { minStake: 30 } }), 403],
    ['401: no credential gives points', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/viewers/proposer1/give`, payload: { amount: 5 } }), 401],
    ['404: approve a mission that does not exist', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/missions/9999/approve`, headers: asAdmin }), 404],
    ['404: give to a viewer never seen', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/viewers/nobody_here/give`, headers: asAdmin, payload: { amount: 5 } }), 404],
    ['409: approve an open mission', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/missions/${await freshMission(true)}/approve`, headers: asAdmin }), 409],
    ['409: create a channel that exists', async () => ({ method: 'POST' as const, url: '/api/v1/channels', headers: asAdmin, payload: { login: OTHER } }), 409],
    ['400: a reason over 200 characters', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/viewers/proposer1/give`, headers: asAdmin, payload: { amount: 5, reason: 'x'.repeat(201) } }), 400],
    ['400: settings that break a rule', async () => ({ method: 'PATCH' as const, url: `/api/v1/channels/${CH}/settings`, headers: asAdmin, payload: { minDuration: 7200, maxDuration: 60 } }), 400],
    ['422: take more than the balance', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${CH}/viewers/proposer1/take`, headers: asAdmin, payload: { amount: 999_999 } }), 422],
    ['403: another channel owner rotates the key', async () => ({ method: 'POST' as const, url: `/api/v1/channels/${OTHER}/overlay-key`, headers: bearer(tokens.owner.token) }), 403],
  ])('%s', async (_name, setup, expected) => {
    const request = await setup();
    const { status, rows } = await recorded(request);
    expect(status).toBe(expected);
    expect(rows).toEqual([]);
  });

  it('an idempotent replay of give, approve and propose leaves one entry each', async () => {
    const n = await freshMission(false);
    const requests = [
      { method: 'POST' as const, url: `/api/v1/channels/${CH}/viewers/proposer1/give`, payload: { amount: 7, reason: 'once' } },
      { method: 'POST' as const, url: `/api/v1/channels/${CH}/missions/${n}/approve` },
      { method: 'POST' as const, url: `/api/v1/channels/${CH}/missions`, payload: { text: 'Keyed proposal', amount: 10, proposer: { userId: 'kp1', login: 'keyed', displayName: 'Keyed' } } },
    ];
    for (const [i, request] of requests.entries()) {
      const headers = { ...asAdmin, 'idempotency-key': `replay-${i}` };
      const first = await recorded({ ...request, headers });
      const again = await recorded({ ...request, headers });
      expect(first.status).toBeLessThan(300);
      expect(again.status).toBeLessThan(300);
      expect(first.rows).toHaveLength(1);
      expect(again.rows).toEqual([]);
    }
    await expectAuditOk(h, CH);
  });
});

describe('the worker timers', () => {
  it('pending timeout: mission.timed_out; deadline then grace: mission.closed then mission.expired, by the system', async () => {
    await call(h, { method: 'PATCH', url: `/api/v1/channels/${OTHER}/settings`, headers: asAdmin, payload: { pendingTimeout: 1, minDuration: 1, verdictGrace: 1 } });
    const otherId = (await h.runtime.services.channels.get(OTHER)).id;
    const propose = (payload: Record<string, unknown>) =>
      call(h, { method: 'POST', url: `/api/v1/channels/${OTHER}/missions`, headers: asChatUser(h, OTHER, { login: 'timid', userId: 'u-timid' }), payload });
    const pending = (await propose({ text: 'Never approved', amount: 10 })).body.number as number;
    const quick = (await propose({ text: 'Quick one', amount: 10, duration: '1s' })).body.number as number;
    // Approved before its pending timeout can fire.
    expect((await call(h, { method: 'POST', url: `/api/v1/channels/${OTHER}/missions/${quick}/approve`, headers: asAdmin })).status).toBe(200);
    const worker = await eventually(async () => {
      const rows = (await db().execute(sql`SELECT * FROM activity WHERE channel_id = ${otherId} AND source = 'worker' ORDER BY id`)).rows as unknown as Row[];
      return rows.length >= 3 ? rows : null;
    }, 30_000);
    expect(worker.map((r) => [r.action, r.mission_number]).sort()).toEqual(
      [['mission.closed', quick], ['mission.expired', quick], ['mission.timed_out', pending]].sort(),
    );
    for (const r of worker) expect(r).toMatchObject({ actor_kind: 'system', actor_login: null });
    expect(worker.find((r) => r.action === 'mission.timed_out')!.reason).toBe('not approved in time');
    expect(worker.findIndex((r) => r.action === 'mission.closed')).toBeLessThan(worker.findIndex((r) => r.action === 'mission.expired'));
    await expectAuditOk(h, OTHER);
  }, 60_000);
});

describe('sessions, tokens and imports', () => {
  it('the sign-in link signs the admin in (one entry of the whole instance); logout signs out', async () => {
    const mark = await lastId();
    const session = await signInAsAdmin(h.app);
    const signedIn = await since(mark);
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]).toMatchObject({ channel_id: null, action: 'session.signed_in', source: 'dashboard', actor_kind: 'admin' });
    const out = await recorded({ method: 'POST', url: '/logout', headers: session.write });
    expect(out.status).toBe(204);
    expect(out.rows.map((r) => [r.channel_id, r.action, r.actor_kind])).toEqual([[null, 'session.signed_out', 'admin']]);
    expect(out.rows[0]!.details).toEqual({ sessionId: signedIn[0]!.details!.sessionId });
  });

  it('a Twitch sign-in is recorded in each channel the session grants, with its role', async () => {
    const otherId = (await h.runtime.services.channels.get(OTHER)).id;
    await db().execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${otherId}, '7002', 'twomod', 'TwoMod'), (${homeId}, '7002', 'twomod', 'TwoMod')`);
    const mark = await lastId();
    const created = await h.app.sessions.createTwitchSession({ userId: '7002', login: 'twomod', displayName: 'TwoMod' });
    const rows = await since(mark);
    expect(rows.map((r) => [r.channel_id, r.action, r.source, r.actor_login, r.details?.role]).sort()).toEqual(
      [[homeId, 'session.signed_in', 'dashboard', 'twomod', 'moderator'], [otherId, 'session.signed_in', 'dashboard', 'twomod', 'moderator']].sort(),
    );
    const session = await browserSession(h.app, created.token);
    const out = await recorded({ method: 'POST', url: '/logout', headers: session.write });
    expect(out.rows.map((r) => r.action)).toEqual(['session.signed_out', 'session.signed_out']);
    // Ending every session from the command line records who lost theirs.
    const live = await signInAsAdmin(h.app);
    const moderator = await h.app.sessions.createTwitchSession({ userId: '7001', login: 'homemod', displayName: 'homemod' });
    const before = await lastId();
    const ended = await h.app.sessions.revokeAll(COMMAND_LINE_ORIGIN);
    expect(ended).toBeGreaterThanOrEqual(2);
    const revoked = await since(before);
    expect(revoked.every((r) => r.action === 'session.revoked' && r.source === 'cli')).toBe(true);
    // The moderator's session, in the channel it granted, about them; the admin's, of the whole instance.
    expect(revoked.filter((r) => r.details?.sessionId === moderator.id).map((r) => [r.channel_id, r.subject_login, r.actor_kind])).toEqual([
      [homeId, 'homemod', 'admin'],
    ]);
    expect(revoked.some((r) => r.channel_id === null && r.subject_login === null)).toBe(true);
    expect((await call(h, { method: 'GET', url: '/api/v1/session', headers: { cookie: live.cookie } })).body.signedIn).toBe(false);
    // The fixtures' sessions are gone too: sign the ones later tests use in again.
    sessions.admin = await signInAsAdmin(h.app);
    sessions.owner = await browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId: `id-${CH}`, login: CH, displayName: CH })).token);
    sessions.moderator = await browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId: '7001', login: 'homemod', displayName: 'homemod' })).token);
  });

  it('tokens issued and revoked; an unbound bot token is an entry of the whole instance', async () => {
    const service = createTokenService(db());
    const mark = await lastId();
    const owner = await service.issueToken({ channelId: homeId, role: 'owner', label: 'laptop' }, COMMAND_LINE_ORIGIN);
    const unbound = await service.issueToken({ role: 'bot' }, COMMAND_LINE_ORIGIN);
    expect(await service.revokeToken(owner.id, COMMAND_LINE_ORIGIN)).toBe(true);
    expect(await service.revokeToken(owner.id, COMMAND_LINE_ORIGIN)).toBe(false);
    const rows = await since(mark);
    expect(rows.map((r) => [r.channel_id, r.action, r.source, r.actor_kind, r.details])).toEqual([
      [homeId, 'token.issued', 'cli', 'admin', { tokenId: owner.id, role: 'owner', label: 'laptop' }],
      [null, 'token.issued', 'cli', 'admin', { tokenId: unbound.id, role: 'bot', label: null }],
      [homeId, 'token.revoked', 'cli', 'admin', { tokenId: owner.id, role: 'owner', label: 'laptop' }],
    ]);
  });

  it('a points import is one entry; importing the same file again records nothing', async () => {
    const plan = await planImport(db(), [
      { line: 2, userId: 'imp1', login: 'importee', points: 300 },
      { line: 3, userId: null, login: 'notseenyet', points: 50 },
    ]);
    const mark = await lastId();
    const first = await applyImport(db(), homeId, 'f'.repeat(64), plan);
    expect(first.credited).toBe(1);
    await applyImport(db(), homeId, 'f'.repeat(64), plan);
    const rows = await since(mark);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel_id: homeId, action: 'points.imported', source: 'cli', actor_kind: 'admin', amount: 300 });
    expect(rows[0]!.details).toMatchObject({ credited: 1, pendingAdded: 1 });
    await expectAuditOk(h, CH);
  });
});

describe('append-only', () => {
  it('the database refuses UPDATE, DELETE and TRUNCATE of the trail', async () => {
    const id = await lastId();
    expect(id).toBeGreaterThan(0);
    for (const statement of [
      sql`UPDATE activity SET reason = 'edited' WHERE id = ${id}`,
      sql`DELETE FROM activity WHERE id = ${id}`,
      sql`TRUNCATE activity`,
    ]) {
      const error = await pgErrorOf(db().execute(statement));
      expect(error?.message).toMatch(/activity is append-only/);
    }
    expect((await db().execute(sql`SELECT reason FROM activity WHERE id = ${id}`)).rows).toHaveLength(1);
  });
});
