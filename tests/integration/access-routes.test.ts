/**
 * A channel's tokens and sessions over REST: who may list, issue and revoke them (anonymous 401,
 * moderators and other channels' owners 403, the owner and the admin allowed), that a secret is
 * shown once and never listed, that a revoked token or session is refused on the very next
 * request, and that the settings form learns which field a refusal is about. Real Postgres and
 * the full app through `app.inject`.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { browserSession, SAME_ORIGIN, signInAsAdmin, type BrowserSession } from '../support/dashboard.js';
import { asAdmin, call, createChannel, startHarness, type Harness } from '../support/harness.js';

const CH = 'accesshome';
const OTHER = 'accessother';
let h: Harness;
let homeId: number;
let otherId: number;

interface Who {
  name: string;
  /** Headers of a read, and of a write (a session's write carries Origin and the CSRF token). */
  read: Record<string, string>;
  write: Record<string, string>;
}
const bearer = (name: string, token: string): Who => ({ name, read: { authorization: `Bearer ${token}` }, write: { authorization: `Bearer ${token}` } });
const cookie = (name: string, s: BrowserSession): Who => ({ name, read: { cookie: s.cookie }, write: s.write });

let anonymous: Who;
let refused: Who[];
let allowed: Who[];
let ownerSession: BrowserSession;
let moderatorSession: BrowserSession;
let otherModeratorSession: BrowserSession;

async function twitchSession(userId: string, login: string, moderates?: number): Promise<BrowserSession> {
  if (moderates !== undefined) {
    await h.runtime.db.db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${moderates}, ${userId}, ${login}, ${login})`);
  }
  return browserSession(h.app, (await h.app.sessions.createTwitchSession({ userId, login, displayName: login })).token);
}

const tokenCount = async () => Number(((await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM api_tokens WHERE channel_id = ${homeId}`)).rows[0] as { n: number }).n);
const tokensUrl = `/api/v1/channels/${CH}/tokens`;
const sessionsUrl = `/api/v1/channels/${CH}/sessions`;

beforeAll(async () => {
  h = await startHarness({ label: 'access_routes', workers: false });
  await createChannel(h, CH, { createCooldown: 0 });
  await createChannel(h, OTHER, { createCooldown: 0 });
  homeId = (await h.runtime.services.channels.get(CH)).id;
  otherId = (await h.runtime.services.channels.get(OTHER)).id;
  const tokens = createTokenService(h.runtime.db.db);
  const issue = async (channelId: number, role: 'owner' | 'moderator') => (await tokens.issueToken({ channelId, role, label: `${role} fixture` })).token;
  // Both channels' broadcaster ids are unresolved, so their broadcasters are known by login.
  ownerSession = await twitchSession(`id-${CH}`, CH);
  moderatorSession = await twitchSession('7001', 'homemod', homeId);
  otherModeratorSession = await twitchSession('7002', 'othermod', otherId);
  anonymous = { name: 'anonymous', read: {}, write: {} };
  refused = [
    bearer('a moderator token', await issue(homeId, 'moderator')),
    cookie('a moderator session', moderatorSession),
    bearer("another channel's owner token", await issue(otherId, 'owner')),
    cookie("another channel's owner session", await twitchSession(`id-${OTHER}`, OTHER)),
  ];
  allowed = [
    bearer('the owner token', await issue(homeId, 'owner')),
    cookie('the owner session', ownerSession),
    { name: 'the admin token', read: asAdmin, write: asAdmin },
    cookie('an admin session', await signInAsAdmin(h.app)),
  ];
});
afterAll(async () => h?.close());

describe('who may use the access routes', () => {
  it('lists: anonymous 401, moderators and other owners 403, the owner and the admin 200', async () => {
    for (const url of [tokensUrl, sessionsUrl]) {
      expect((await call(h, { method: 'GET', url, headers: anonymous.read })).status, url).toBe(401);
      for (const who of refused) {
        const res = await call(h, { method: 'GET', url, headers: who.read });
        expect(res.status, `${who.name} on ${url}`).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
      }
      for (const who of allowed) {
        const res = await call(h, { method: 'GET', url, headers: who.read });
        expect(res.status, `${who.name} on ${url}`).toBe(200);
        expect(res.body.nextCursor).toBeNull();
      }
    }
  });

  it('issuing: only the owner and the admin, and a refusal issues nothing', async () => {
    const before = await tokenCount();
    const payload = { role: 'moderator', label: 'refused' };
    expect((await call(h, { method: 'POST', url: tokensUrl, headers: anonymous.write, payload })).status).toBe(401);
    for (const who of refused) expect((await call(h, { method: 'POST', url: tokensUrl, headers: who.write, payload })).status, who.name).toBe(403);
    expect(await tokenCount()).toBe(before);
    for (const who of allowed) {
      const res = await call(h, { method: 'POST', url: tokensUrl, headers: who.write, payload: { role: 'moderator', label: `by ${who.name}` } });
      expect(res.status, `${who.name}: ${JSON.stringify(res.body)}`).toBe(201);
      expect(res.body.token).toMatch(/^ml_[A-Za-z0-9_-]{43}$/);
    }
    expect(await tokenCount()).toBe(before + allowed.length);
  });

  it('revoking: refusals leave the token working; the owner and the admin revoke', async () => {
    for (const who of [anonymous, ...refused, ...allowed]) {
      const issued = await createTokenService(h.runtime.db.db).issueToken({ channelId: homeId, role: 'moderator', label: 'victim' });
      const res = await call(h, { method: 'DELETE', url: `${tokensUrl}/${issued.id}`, headers: who.write });
      const expected = who === anonymous ? 401 : refused.includes(who) ? 403 : 200;
      expect(res.status, who.name).toBe(expected);
      const active = await createTokenService(h.runtime.db.db).findByToken(issued.token);
      expect(active === null, who.name).toBe(expected === 200);
    }
  });

  it('ending a session: refusals leave it signed in; the owner and the admin end it', async () => {
    for (const who of [anonymous, ...refused, ...allowed]) {
      const victim = await twitchSession('7001', 'homemod');
      const id = await sessionIdOf(victim);
      const res = await call(h, { method: 'DELETE', url: `${sessionsUrl}/${id}`, headers: who.write });
      const expected = who === anonymous ? 401 : refused.includes(who) ? 403 : 204;
      expect(res.status, who.name).toBe(expected);
      const me = await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: victim.cookie } });
      expect(me.json().signedIn, who.name).toBe(expected !== 204);
    }
  });

  it('a cookie write without the CSRF token is refused and issues nothing', async () => {
    const before = await tokenCount();
    const res = await call(h, { method: 'POST', url: tokensUrl, headers: { cookie: ownerSession.cookie, origin: SAME_ORIGIN }, payload: { role: 'owner' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CSRF');
    expect(await tokenCount()).toBe(before);
  });
});

/** The id of the session behind a cookie, as the owner's list shows it. */
async function sessionIdOf(s: BrowserSession): Promise<number> {
  const hash = createHash('sha256').update(s.cookie.split('=')[1]!, 'utf8').digest('hex');
  const rows = (await h.runtime.db.db.execute(sql`SELECT id FROM dashboard_sessions WHERE token_hash = ${hash}`)).rows as { id: number }[];
  expect(rows).toHaveLength(1);
  return Number(rows[0]!.id);
}

describe('tokens', () => {
  it('a secret is shown once: the list never has it, and the token works until revoked, then is refused at once', async () => {
    const owner = allowed[1]!;
    const issued = await call(h, { method: 'POST', url: tokensUrl, headers: owner.write, payload: { role: 'owner', label: 'stream deck' } });
    expect(issued.status).toBe(201);
    const { id, token } = issued.body as { id: number; token: string };
    expect(issued.body).toMatchObject({ id, role: 'owner', label: 'stream deck', revokedAt: null });

    const list = await call(h, { method: 'GET', url: tokensUrl, headers: owner.read });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(list.body.items.find((t: { id: number }) => t.id === id)).toEqual({ id, role: 'owner', label: 'stream deck', createdAt: expect.any(String), revokedAt: null });

    // Used twice, so the auth plugin has it in its cache when it is revoked.
    const audit = `/api/v1/channels/${CH}/audit`;
    for (let i = 0; i < 2; i++) expect((await call(h, { method: 'GET', url: audit, headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const revoked = await call(h, { method: 'DELETE', url: `${tokensUrl}/${id}`, headers: owner.write });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const after = await call(h, { method: 'GET', url: audit, headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    // Revoking again is no error: the token stays revoked, with its first revocation time.
    const again = await call(h, { method: 'DELETE', url: `${tokensUrl}/${id}`, headers: owner.write });
    expect(again.status).toBe(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('revoked behind the API (the command line) a cached token still works for a moment: the window the API closes', async () => {
    const issued = await createTokenService(h.runtime.db.db).issueToken({ channelId: homeId, role: 'owner', label: 'cli' });
    const audit = `/api/v1/channels/${CH}/audit`;
    expect((await call(h, { method: 'GET', url: audit, headers: { authorization: `Bearer ${issued.token}` } })).status).toBe(200);
    await createTokenService(h.runtime.db.db).revokeToken(issued.id);
    expect((await call(h, { method: 'GET', url: audit, headers: { authorization: `Bearer ${issued.token}` } })).status).toBe(200);
  });

  it('the same Idempotency-Key issues one token; the repeat has no secret; another body under the key is refused', async () => {
    const owner = allowed[0]!;
    const headers = { ...owner.write, 'idempotency-key': 'issue-once-1' };
    const before = await tokenCount();
    const first = await call(h, { method: 'POST', url: tokensUrl, headers, payload: { role: 'moderator', label: 'once' } });
    expect(first.status).toBe(201);
    const repeat = await call(h, { method: 'POST', url: tokensUrl, headers, payload: { role: 'moderator', label: 'once' } });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ id: first.body.id, role: 'moderator', label: 'once', createdAt: first.body.createdAt, revokedAt: null });
    const other = await call(h, { method: 'POST', url: tokensUrl, headers, payload: { role: 'owner', label: 'once' } });
    expect(other.status).toBe(409);
    expect(await tokenCount()).toBe(before + 1);
    const stored = await h.runtime.db.db.execute(sql`SELECT response::text AS r FROM idempotency_keys WHERE key = 'issue-once-1'`);
    expect(String((stored.rows[0] as { r: string }).r)).not.toContain(first.body.token);
  });

  it("bad input is a 400 naming the field; another channel's token is a 404; the bot's token needs the admin", async () => {
    const owner = allowed[0]!;
    const bot = await call(h, { method: 'POST', url: tokensUrl, headers: owner.write, payload: { role: 'bot' } });
    expect(bot.status).toBe(400);
    const long = await call(h, { method: 'POST', url: tokensUrl, headers: owner.write, payload: { role: 'owner', label: 'x'.repeat(101) } });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({ code: 'VALIDATION', field: 'label', message: expect.stringContaining('body.label') });
    const foreign = await createTokenService(h.runtime.db.db).issueToken({ channelId: otherId, role: 'owner', label: 'theirs' });
    const res = await call(h, { method: 'DELETE', url: `${tokensUrl}/${foreign.id}`, headers: owner.write });
    expect(res.status).toBe(404);
    expect(await createTokenService(h.runtime.db.db).findByToken(foreign.token)).not.toBeNull();
    const botToken = await createTokenService(h.runtime.db.db).issueToken({ channelId: homeId, role: 'bot', label: 'bot' });
    expect((await call(h, { method: 'DELETE', url: `${tokensUrl}/${botToken.id}`, headers: owner.write })).status).toBe(403);
    expect((await call(h, { method: 'DELETE', url: `${tokensUrl}/${botToken.id}`, headers: asAdmin })).status).toBe(200);
  });
});

describe('sessions', () => {
  it("lists the channel's broadcaster and moderator sessions without secrets, marks the caller's own, and leaves other channels' out", async () => {
    const res = await call(h, { method: 'GET', url: sessionsUrl, headers: { cookie: ownerSession.cookie } });
    expect(res.status).toBe(200);
    const items = res.body.items as Array<Record<string, unknown>>;
    expect(items.filter((s) => s.login === CH && s.role === 'owner' && s.current === true)).toHaveLength(1);
    expect(items.some((s) => s.login === 'homemod' && s.role === 'moderator' && s.current === false)).toBe(true);
    expect(items.some((s) => s.login === 'othermod' || s.login === OTHER)).toBe(false);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'current', 'displayName', 'expiresAt', 'id', 'login', 'role', 'userId']);
    const raw = JSON.stringify(res.body);
    expect(raw).not.toContain(ownerSession.cookie.split('=')[1]!);
    expect(raw).not.toContain(ownerSession.csrf);
  });

  it("ending a session signs that browser out at once; another channel's session is a 404 and stays signed in", async () => {
    const victim = await twitchSession('7001', 'homemod');
    const id = await sessionIdOf(victim);
    const res = await call(h, { method: 'DELETE', url: `${sessionsUrl}/${id}`, headers: ownerSession.write });
    expect(res.status).toBe(204);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: victim.cookie } });
    expect(me.json().signedIn).toBe(false);
    const write = await call(h, { method: 'POST', url: `/api/v1/channels/${CH}/pause`, headers: victim.write });
    expect(write.status).toBe(401);

    const foreignId = await sessionIdOf(otherModeratorSession);
    expect((await call(h, { method: 'DELETE', url: `${sessionsUrl}/${foreignId}`, headers: ownerSession.write })).status).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: otherModeratorSession.cookie } })).json().signedIn).toBe(true);
  });
});

describe('settings refusals name their field', () => {
  it('a schema refusal and a cross-field refusal both carry error.field, and change nothing', async () => {
    const url = `/api/v1/channels/${CH}/settings`;
    const before = (await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` })).body.settings;
    const low = await call(h, { method: 'PATCH', url, headers: asAdmin, payload: { minStake: 0 } });
    expect(low.status).toBe(400);
    expect(low.body.error).toEqual({ code: 'VALIDATION', message: 'body.minStake must be >= 1', field: 'minStake' });
    const nested = await call(h, { method: 'PATCH', url, headers: asAdmin, payload: { accrual: { intervalSeconds: 5 } } });
    expect(nested.body.error.field).toBe('accrual.intervalSeconds');
    const cross = await call(h, { method: 'PATCH', url, headers: asAdmin, payload: { minDuration: 7200, maxDuration: 3600 } });
    expect(cross.status).toBe(400);
    expect(cross.body.error).toMatchObject({ code: 'VALIDATION', field: 'minDuration', message: expect.stringContaining('minDuration must not exceed maxDuration') });
    expect((await call(h, { method: 'GET', url: `/api/v1/channels/${CH}` })).body.settings).toEqual(before);
  });
});
