/**
 * The audit trail of the access routes through REST: issuing and revoking a channel's tokens,
 * signing a dashboard session out (someone else's is `session.revoked` about them, one's own is
 * `session.signed_out`), each exactly one entry with the caller as its actor; a replayed issue and
 * a refused or missing target leave none. A pledge from the public board leaves none by design.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSession } from '../support/dashboard.js';
import { SESSION_USERS, startAccessWorld, type AccessWorld } from '../support/access-world.js';
import { asAdmin, call, expectAuditOk } from '../support/harness.js';
import { trailOf, type Trail } from '../support/trail.js';

const CH = 'ata_home';
const OTHER = 'ata_other';

let world: AccessWorld;
let trail: Trail;
const tokensUrl = `/api/v1/channels/${CH}/tokens`;

/** A fresh dashboard session of the channel's moderator, as another browser would hold. */
async function moderatorBrowser(): Promise<number> {
  return (await world.h.app.sessions.createTwitchSession({ ...SESSION_USERS.moderator, displayName: SESSION_USERS.moderator.login })).id;
}

beforeAll(async () => {
  world = await startAccessWorld('activity_access', CH, OTHER);
  trail = trailOf(world.h);
});
afterAll(async () => world?.h.close());

describe('tokens through REST', () => {
  it('issue with an owner token: token.issued, api, the token as actor', async () => {
    const { status, body, rows } = await trail.recorded({
      method: 'POST',
      url: tokensUrl,
      headers: world.headersOf('owner'),
      payload: { role: 'moderator', label: 'stream deck' },
    });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel_id: world.homeId,
      action: 'token.issued',
      source: 'api',
      actor_kind: 'token',
      actor_token_id: world.tokens.owner.id,
      details: { tokenId: body.id, role: 'moderator', label: 'stream deck' },
    });
  });

  it("issue and revoke from the owner's dashboard session: dashboard, the broadcaster as actor; a second revoke records nothing", async () => {
    const issued = await trail.recorded({ method: 'POST', url: tokensUrl, headers: world.headersOf('ownerSession'), payload: { role: 'owner' } });
    expect(issued.status).toBe(201);
    expect(issued.rows.map((r) => [r.action, r.source, r.actor_kind, r.actor_login])).toEqual([['token.issued', 'dashboard', 'user', CH]]);

    const revoked = await trail.recorded({ method: 'DELETE', url: `${tokensUrl}/${issued.body.id}`, headers: world.headersOf('ownerSession') });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect(revoked.rows).toHaveLength(1);
    expect(revoked.rows[0]).toMatchObject({
      channel_id: world.homeId,
      action: 'token.revoked',
      source: 'dashboard',
      actor_kind: 'user',
      actor_login: CH,
      details: { tokenId: issued.body.id, role: 'owner', label: null },
    });
    // Already revoked: the answer is the same row, and nothing happened to record.
    const again = await trail.recorded({ method: 'DELETE', url: `${tokensUrl}/${issued.body.id}`, headers: world.headersOf('ownerSession') });
    expect(again.status).toBe(200);
    expect(again.rows).toEqual([]);
  });

  it('revoke with the admin token: api, the admin as actor', async () => {
    const issued = await call(world.h, { method: 'POST', url: tokensUrl, headers: asAdmin, payload: { role: 'moderator' } });
    expect(issued.status).toBe(201);
    const revoked = await trail.recorded({ method: 'DELETE', url: `${tokensUrl}/${issued.body.id}`, headers: asAdmin });
    expect(revoked.status).toBe(200);
    expect(revoked.rows.map((r) => [r.action, r.source, r.actor_kind, r.actor_login])).toEqual([['token.revoked', 'api', 'admin', null]]);
  });

  it('an idempotent replay of an issue leaves one entry and one token, and shows the secret once', async () => {
    const request = { method: 'POST' as const, url: tokensUrl, headers: { ...world.headersOf('owner'), 'idempotency-key': 'issue-once' }, payload: { role: 'moderator', label: 'replayed' } };
    const first = await trail.recorded(request);
    const again = await trail.recorded(request);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(first.body.token).toEqual(expect.any(String));
    expect(again.body).toMatchObject({ id: first.body.id });
    expect(again.body.token).toBeUndefined();
    expect(first.rows.map((r) => r.action)).toEqual(['token.issued']);
    expect(again.rows).toEqual([]);
    const listed = await call(world.h, { method: 'GET', url: tokensUrl, headers: asAdmin });
    expect(listed.body.items.filter((t: { label: string | null }) => t.label === 'replayed')).toHaveLength(1);
  });

  it.each([
    ['403: a moderator token issues', () => ({ method: 'POST' as const, url: tokensUrl, headers: world.headersOf('moderator'), payload: { role: 'owner' } }), 403],
    ['403: a viewer session revokes', () => ({ method: 'DELETE' as const, url: `${tokensUrl}/${world.tokens.moderator.id}`, headers: world.headersOf('viewerSession') }), 403],
    ["404: revoke the other channel's token from this one", () => ({ method: 'DELETE' as const, url: `${tokensUrl}/${world.tokens.otherOwner.id}`, headers: asAdmin }), 404],
    ['400: issue a bot token from a channel', () => ({ method: 'POST' as const, url: tokensUrl, headers: asAdmin, payload: { role: 'bot' } }), 400],
  ])('%s leaves no entry', async (_name, request, expected) => {
    const { status, rows } = await trail.recorded(request());
    expect(status).toBe(expected);
    expect(rows).toEqual([]);
  });
});

describe('sessions through REST', () => {
  it("the owner signs the moderator's browser out: session.revoked, about the moderator, by the owner", async () => {
    const id = await moderatorBrowser();
    const { status, rows } = await trail.recorded({ method: 'DELETE', url: `/api/v1/channels/${CH}/sessions/${id}`, headers: world.headersOf('ownerSession') });
    expect(status).toBe(204);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel_id: world.homeId,
      action: 'session.revoked',
      source: 'dashboard',
      actor_kind: 'user',
      actor_login: CH,
      subject_login: SESSION_USERS.moderator.login,
      details: { sessionId: id, role: 'moderator' },
    });
  });

  it('the owner signs their own browser out from the list: session.signed_out, with no subject', async () => {
    const own = await world.h.app.sessions.createTwitchSession({ userId: `id-${CH}`, login: CH, displayName: CH });
    const headers = (await browserSession(world.h.app, own.token)).write;
    const { status, rows } = await trail.recorded({ method: 'DELETE', url: `/api/v1/channels/${CH}/sessions/${own.id}`, headers });
    expect(status).toBe(204);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel_id: world.homeId, action: 'session.signed_out', source: 'dashboard', actor_login: CH, subject_login: null, details: { sessionId: own.id, role: 'owner' } });
    expect((await call(world.h, { method: 'GET', url: '/api/v1/session', headers: { cookie: headers.cookie! } })).body.signedIn).toBe(false);
  });

  it('refused, or a session that is gone or not of this channel: no entry', async () => {
    const id = await moderatorBrowser();
    for (const [who, expected] of [['moderatorSession', 403], ['viewerSession', 403], ['otherOwner', 403], ['none', 401]] as const) {
      const { status, rows } = await trail.recorded({ method: 'DELETE', url: `/api/v1/channels/${CH}/sessions/${id}`, headers: world.headersOf(who) });
      expect([who, status]).toEqual([who, expected]);
      expect(rows).toEqual([]);
    }
    expect((await trail.recorded({ method: 'DELETE', url: `/api/v1/channels/${OTHER}/sessions/${id}`, headers: asAdmin })).rows).toEqual([]);
    expect((await call(world.h, { method: 'DELETE', url: `/api/v1/channels/${CH}/sessions/${id}`, headers: asAdmin })).status).toBe(204);
    const gone = await trail.recorded({ method: 'DELETE', url: `/api/v1/channels/${CH}/sessions/${id}`, headers: asAdmin });
    expect(gone.status).toBe(404);
    expect(gone.rows).toEqual([]);
  });
});

describe("the public board's pledge", () => {
  it('records no trail entry: the pledge is in the pledges table and the journal', async () => {
    const n = await world.freshMission(true);
    const count = async (query: ReturnType<typeof sql>) => ((await world.h.runtime.db.db.execute(query)).rows[0] as { n: number }).n;
    const pledges = () => count(sql`SELECT count(*)::int AS n FROM pledges`);
    const lastTransfer = await count(sql`SELECT COALESCE(max(id), 0)::int AS n FROM transfers`);
    const before = await pledges();
    const { status, rows } = await trail.recorded({
      method: 'POST',
      url: `/api/v1/channels/${CH}/me/pledges`,
      headers: { ...world.headersOf('viewerSession'), 'idempotency-key': 'board-pledge-1' },
      payload: { mission: n, amount: 40 },
    });
    expect(status).toBe(201);
    // A viewer's pledge is their own money moved by their own hand, like `!pledge` in chat: the
    // trail records what the channel's team and the system do, and a storm of pledges would
    // drown it. The pledge row and its journal transfer are its record.
    expect(rows).toEqual([]);
    expect(await pledges()).toBe(before + 1);
    // The journal: the pledge itself (after the starting balance of a viewer never seen before).
    const moved = (await world.h.runtime.db.db.execute(sql`SELECT kind, amount FROM transfers WHERE id > ${lastTransfer} AND kind = 'pledge'`)).rows;
    expect(moved).toEqual([{ kind: 'pledge', amount: 40 }]);
    await expectAuditOk(world.h, CH);
  });
});
