/**
 * Dashboard sign-in: single-use sign-in links, the session cookie, CSRF on cookie writes,
 * and logout. Real Postgres and the full app through `app.inject`.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionService, LOGIN_LINK_TTL_MS } from '../../server/services/sessions.js';
import { browserSession, SAME_ORIGIN, sessionCookieOf, signInAsAdmin } from '../support/dashboard.js';
import { asChatUser, call, createChannel, startHarness, type Harness } from '../support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'dashboard_session', workers: false });
  await createChannel(h, 'sessions', { requireApproval: true, createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50 });
});
afterAll(async () => h?.close());

let proposals = 0;
const pending = async () => {
  proposals += 1;
  const res = await call(h, {
    method: 'POST',
    url: '/api/v1/channels/sessions/missions',
    headers: asChatUser(h, 'sessions', { login: `proposer${proposals}` }),
    payload: { text: 'Win a round', amount: 10 },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number as number;
};

describe('sign-in links', () => {
  it('a valid link signs the browser in as the admin with a hardened cookie, and is stored hashed', async () => {
    const { code } = await h.app.sessions.createLoginLink();
    const stored = (await h.runtime.db.db.execute(sql`SELECT code_hash FROM login_links`)).rows as { code_hash: string }[];
    expect(stored.some((r) => r.code_hash.includes(code))).toBe(false);

    const res = await h.app.inject({ method: 'GET', url: `/login/${code}` });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/ml_session=[A-Za-z0-9_-]{43}/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const session = await browserSession(h.app, sessionCookieOf(res)!);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: session.cookie } });
    expect(me.json()).toMatchObject({ signedIn: true, user: { admin: true }, channels: [{ login: 'sessions', role: 'admin' }] });
  });

  it('refuses a forged link with a clear page and signs nobody in', async () => {
    const before = (await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM dashboard_sessions`)).rows[0] as { n: number };
    for (const forged of ['A'.repeat(32), 'not-a-code', '%3Cscript%3E']) {
      const res = await h.app.inject({ method: 'GET', url: `/login/${forged}` });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('Sign-in link not valid');
      expect(res.body).not.toContain('<script>');
      expect(sessionCookieOf(res)).toBeUndefined();
    }
    const after = (await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM dashboard_sessions`)).rows[0] as { n: number };
    expect(after.n).toBe(before.n);
  });

  it('refuses an expired link', async () => {
    const past = createSessionService(h.runtime.db.db, () => new Date(Date.now() - LOGIN_LINK_TTL_MS - 1_000));
    const { code } = await past.createLoginLink();
    const res = await h.app.inject({ method: 'GET', url: `/login/${code}` });
    expect(res.statusCode).toBe(410);
    expect(res.body).toContain('Sign-in link expired');
    expect(sessionCookieOf(res)).toBeUndefined();
  });

  it('works once: a second use (even at the same moment) is refused', async () => {
    const { code } = await h.app.sessions.createLoginLink();
    const [a, b] = await Promise.all([
      h.app.inject({ method: 'GET', url: `/login/${code}` }),
      h.app.inject({ method: 'GET', url: `/login/${code}` }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([302, 410]);
    const again = await h.app.inject({ method: 'GET', url: `/login/${code}` });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already used');
  });
});

describe('cookie-authenticated writes', () => {
  it('a session is accepted on a write route', async () => {
    const s = await signInAsAdmin(h.app);
    const n = await pending();
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/sessions/missions/${n}/approve`, headers: s.write });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('open');
  });

  it('refuses a write without the CSRF token, changing nothing', async () => {
    const s = await signInAsAdmin(h.app);
    const n = await pending();
    const missing = await call(h, { method: 'POST', url: `/api/v1/channels/sessions/missions/${n}/approve`, headers: { cookie: s.cookie, origin: SAME_ORIGIN } });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('CSRF');
    const wrong = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/sessions/missions/${n}/approve`,
      headers: { cookie: s.cookie, origin: SAME_ORIGIN, 'x-csrf-token': 'forged-token' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('CSRF');
    const other = await signInAsAdmin(h.app);
    const foreign = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/sessions/missions/${n}/approve`,
      headers: { ...s.write, 'x-csrf-token': other.csrf },
    });
    expect(foreign.status, 'a token of another session').toBe(403);
    const mission = await call(h, { method: 'GET', url: `/api/v1/channels/sessions/missions/${n}` });
    expect(mission.body.status).toBe('pending');
  });

  it('refuses a cross-site write (or one without Origin/Referer) even with a valid token', async () => {
    const s = await signInAsAdmin(h.app);
    const n = await pending();
    for (const headers of [
      { ...s.write, origin: 'https://evil.example' },
      { ...s.write, origin: 'http://localhost:8080' },
      { cookie: s.cookie, 'x-csrf-token': s.csrf },
      { cookie: s.cookie, 'x-csrf-token': s.csrf, referer: 'https://evil.example/page' },
    ]) {
      const res = await call(h, { method: 'POST', url: `/api/v1/channels/sessions/missions/${n}/approve`, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('CSRF');
    }
    const viaReferer = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/sessions/missions/${n}/approve`,
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, referer: `${SAME_ORIGIN}/c/sessions` },
    });
    expect(viaReferer.status, JSON.stringify(viaReferer.body)).toBe(200);
  });

  it('logout revokes the session: the cookie no longer works', async () => {
    const s = await signInAsAdmin(h.app);
    const noToken = await h.app.inject({ method: 'POST', url: '/logout', headers: { cookie: s.cookie, origin: SAME_ORIGIN } });
    expect(noToken.statusCode, 'logout is CSRF-protected too').toBe(403);
    const out = await h.app.inject({ method: 'POST', url: '/logout', headers: s.write });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/ml_session=;/);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: s.cookie } });
    expect(me.json()).toMatchObject({ signedIn: false, csrfToken: null });
    const n = await pending();
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/sessions/missions/${n}/approve`, headers: s.write });
    expect(res.status).toBe(401);
    const revoked = (await h.runtime.db.db.execute(sql`SELECT count(*)::int AS n FROM dashboard_sessions WHERE revoked_at IS NOT NULL`)).rows[0] as { n: number };
    expect(revoked.n).toBeGreaterThan(0);
  });

  it('a bearer token is not CSRF-checked and wins over a cookie', async () => {
    const n = await pending();
    const res = await call(h, { method: 'POST', url: `/api/v1/channels/sessions/missions/${n}/reject`, headers: asChatUser(h, 'sessions', { login: 'mod', role: 'moderator' }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});
