/**
 * `GET /api/v1/channels/:channel/activity`: who may read a channel's trail (its owner, its
 * moderators and the admin, by token or session), the filters, and the cursor pagination,
 * newest first and stable while new entries arrive.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { browserSession, signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { asAdmin, asChatUser, call, createChannel, startHarness, type Harness } from '../support/harness.js';

const CH = 'actr_home';
const OTHER = 'actr_other';
const URL = `/api/v1/channels/${CH}/activity`;

let h: Harness;
const tokens: Record<'owner' | 'moderator' | 'otherOwner' | 'bot', string> = { owner: '', moderator: '', otherOwner: '', bot: '' };
const sessions: Record<'admin' | 'owner' | 'moderator' | 'noRole' | 'otherModerator', BrowserSession> = {} as never;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const read = (query = '', headers: Record<string, string> = asAdmin) => call(h, { method: 'GET', url: `${URL}${query}`, headers });
const give = (login: string, amount: number, headers: Record<string, string> = asAdmin) =>
  call(h, { method: 'POST', url: `/api/v1/channels/${CH}/viewers/${login}/give`, headers, payload: { amount } });

beforeAll(async () => {
  h = await startHarness({ label: 'activity_route', backend: 'postgres', workers: false });
  const settings = { createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50, requireApproval: true };
  await createChannel(h, CH, settings);
  await createChannel(h, OTHER, settings);
  const homeId = (await h.runtime.services.channels.get(CH)).id;
  const otherId = (await h.runtime.services.channels.get(OTHER)).id;
  const service = createTokenService(h.runtime.db.db);
  tokens.owner = (await service.issueToken({ channelId: homeId, role: 'owner' })).token;
  tokens.moderator = (await service.issueToken({ channelId: homeId, role: 'moderator' })).token;
  tokens.otherOwner = (await service.issueToken({ channelId: otherId, role: 'owner' })).token;
  tokens.bot = (await service.issueToken({ channelId: homeId, role: 'bot' })).token;
  const twitch = async (userId: string, login: string) =>
    browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId, login, displayName: login })).token);
  await h.runtime.db.db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name)
    VALUES (${homeId}, '8001', 'homemod', 'homemod'), (${otherId}, '8002', 'othermod', 'othermod')`);
  sessions.admin = await signInAsAdmin(h.app);
  sessions.owner = await twitch(`id-${CH}`, CH);
  sessions.moderator = await twitch('8001', 'homemod');
  sessions.otherModerator = await twitch('8002', 'othermod');
  // A Twitch user with no role anywhere: signed in, but a viewer.
  sessions.noRole = await twitch('8003', 'justaviewer');

  // A history to read: proposals by two viewers (pending), approvals by the moderator token and in chat, grants by the admin.
  for (const [i, login] of ['alice', 'bob', 'alice'].entries()) {
    const res = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      headers: asChatUser(h, CH, { login, userId: `u-${login}` }),
      payload: { text: `Mission number ${i + 1}`, amount: 10 },
    });
    expect(res.status).toBe(201);
  }
  expect((await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/1/approve`, headers: bearer(tokens.moderator) })).status).toBe(200);
  expect((await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/missions/2/approve`, headers: asChatUser(h, CH, { login: 'chatmod', role: 'moderator' }) })).status).toBe(200);
  for (let i = 1; i <= 4; i++) expect((await give('alice', i)).status).toBe(200);
});
afterAll(async () => h?.close());

describe('who may read the trail', () => {
  const cases: Array<[string, () => Record<string, string>, number]> = [
    ['anonymous', () => ({}), 401],
    ['an unknown token', () => bearer(`ml_${randomBytes(32).toString('base64url')}`), 401],
    ['a signed-in viewer with no role here', () => ({ cookie: sessions.noRole.cookie }), 403],
    ['the bot token (no channel role)', () => bearer(tokens.bot), 403],
    ["another channel's owner token", () => bearer(tokens.otherOwner), 403],
    ["another channel's moderator session", () => ({ cookie: sessions.otherModerator.cookie }), 403],
    ['the moderator token', () => bearer(tokens.moderator), 200],
    ['the owner token', () => bearer(tokens.owner), 200],
    ['the admin token', () => asAdmin, 200],
    ['the admin session', () => ({ cookie: sessions.admin.cookie }), 200],
    ["the broadcaster's session", () => ({ cookie: sessions.owner.cookie }), 200],
    ["a moderator's session", () => ({ cookie: sessions.moderator.cookie }), 200],
  ];
  it.each(cases)('%s → %i', async (_who, headers, status) => {
    const res = await read('', headers());
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status === 200) {
      expect(res.body.items.length).toBeGreaterThan(0);
      expect(res.body.items.every((e: { action: string }) => typeof e.action === 'string')).toBe(true);
    } else {
      expect(res.body.error.code).toBe(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
      expect(res.body.items).toBeUndefined();
    }
  });

  it('a channel that does not exist is 404', async () => {
    expect((await call(h, { method: 'GET', url: '/api/v1/channels/nosuchchannel/activity', headers: asAdmin })).status).toBe(404);
  });

  it("shows only this channel's entries, never another channel's or the instance's", async () => {
    const all = await read('?limit=200');
    expect(all.body.items.some((e: { action: string }) => e.action === 'session.signed_in')).toBe(true);
    // The admin's sign-in and the unbound entries of the whole instance are not in a channel's trail.
    expect(all.body.items.filter((e: { action: string; actor: { kind: string } }) => e.action === 'session.signed_in' && e.actor.kind === 'admin')).toEqual([]);
    const other = await call(h, { method: 'GET', url: `/api/v1/channels/${OTHER}/activity?limit=200`, headers: asAdmin });
    // The other channel's trail: its creation, its owner token, its moderator signing in.
    expect(other.body.items.map((e: { action: string }) => e.action)).toEqual(['session.signed_in', 'token.issued', 'channel.created']);
    expect(other.body.items[0].actor.login).toBe('othermod');
  });
});

describe('the entries, filters and pages', () => {
  it('an entry as the API shows it', async () => {
    const res = await read('?action=points.given&limit=1');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        id: expect.any(Number),
        at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        action: 'points.given',
        source: 'api',
        actor: { kind: 'admin', userId: null, login: null, displayName: null, tokenId: null },
        missionNumber: null,
        subject: { kind: 'user', userId: 'u-alice', login: 'alice', displayName: 'alice', tokenId: null },
        amount: 4,
        reason: null,
        details: null,
      },
    ]);
    expect(typeof res.body.nextCursor).toBe('string');
  });

  it('filters by action, source, actor, mission and time', async () => {
    const actions = async (query: string) => (await read(query)).body.items.map((e: { action: string; missionNumber: number | null }) => [e.action, e.missionNumber]);
    expect(await actions('?action=mission.approved')).toEqual([['mission.approved', 2], ['mission.approved', 1]]);
    expect(await actions('?source=chat&action=mission.approved')).toEqual([['mission.approved', 2]]);
    expect(await actions('?actor=alice')).toEqual([['mission.proposed', 3], ['mission.proposed', 1]]);
    expect(await actions('?mission=1')).toEqual([['mission.approved', 1], ['mission.proposed', 1]]);
    expect(await actions('?mission=2&source=api')).toEqual([]);
    expect((await read('?since=2000-01-01&until=2000-01-02')).body.items).toEqual([]);
    const now = Date.now();
    const window = `?since=${new Date(now - 3_600_000).toISOString()}&until=${new Date(now + 3_600_000).toISOString()}&action=points.given`;
    expect((await read(window)).body.items).toHaveLength(4);
    expect((await read(`?until=${new Date(now - 3_600_000).toISOString()}`)).body.items).toEqual([]);
  });

  it('a settings change reads back with its before and after values', async () => {
    const patch = await call(h, { method: 'PATCH', url: `/api/v1/channels/${CH}/settings`, headers: bearer(tokens.owner), payload: { maxPledge: 5000, blockedWords: ['spoiler'] } });
    expect(patch.status).toBe(200);
    const res = await read('?action=settings.changed');
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({ source: 'api', actor: { kind: 'token', tokenId: expect.any(Number) } });
    expect(res.body.items[0].details).toEqual({
      changes: [
        { key: 'blockedWords', before: [], after: ['spoiler'] },
        { key: 'maxPledge', before: null, after: 5000 },
      ],
    });
  });

  it('refuses bad filters with a 400', async () => {
    for (const query of ['?action=mission.exploded', '?source=fax', '?since=yesterday', '?since=2026-02-30', '?limit=0', '?limit=201', '?mission=0', '?cursor=abc', '?cursor=@@', '?actor=bad-login!', '?since=2026-03-02&until=2026-03-01']) {
      const res = await read(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION');
    }
  });

  it('pages newest first with an opaque cursor, default 50, stable while entries are added', async () => {
    const everything = (await read('?limit=200')).body.items as Array<{ id: number }>;
    const ids = everything.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect((await read()).body.items).toHaveLength(Math.min(50, ids.length));

    const first = await read('?limit=3');
    expect(first.body.items.map((e: { id: number }) => e.id)).toEqual(ids.slice(0, 3));
    expect(first.body.nextCursor).not.toMatch(new RegExp(`^${ids[2]}$`));
    // New entries arrive between pages: the next page goes on where the first stopped.
    expect((await give('bob', 9)).status).toBe(200);
    expect((await give('bob', 8)).status).toBe(200);
    const seen = [...first.body.items.map((e: { id: number }) => e.id)];
    let cursor: string | null = first.body.nextCursor;
    while (cursor !== null) {
      const page = await read(`?limit=3&cursor=${cursor}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((e: { id: number }) => e.id));
      cursor = page.body.nextCursor;
    }
    expect(seen).toEqual(ids);
    const newest = (await read('?limit=2')).body.items.map((e: { amount: number }) => e.amount);
    expect(newest).toEqual([8, 9]);
  });

  it('a filtered page keeps its filter on the next page', async () => {
    const page1 = await read('?action=points.given&limit=2');
    const page2 = await read(`?action=points.given&limit=2&cursor=${page1.body.nextCursor}`);
    const page3 = await read(`?action=points.given&limit=2&cursor=${page2.body.nextCursor}`);
    const amounts = [...page1.body.items, ...page2.body.items, ...page3.body.items].map((e: { amount: number }) => e.amount);
    expect(amounts).toEqual([8, 9, 4, 3, 2, 1]);
    expect(page3.body.nextCursor).toBeNull();
  });
});

describe('the OpenAPI document', () => {
  it('describes the route, its filters and the actions it accepts', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
    const op = doc.paths['/api/v1/channels/{channel}/activity']?.get;
    expect(op).toBeDefined();
    const names = op.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['channel', 'action', 'source', 'actor', 'mission', 'since', 'until', 'cursor', 'limit']));
    const action = op.parameters.find((p: { name: string }) => p.name === 'action');
    expect(JSON.stringify(action.schema)).toContain('mission.approved');
  });
});
