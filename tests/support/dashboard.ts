/** Signing a test browser in to the dashboard: the session cookie, the CSRF token, same-origin headers. */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { SESSION_COOKIE } from '../../server/http/session/session-plugin.js';

/** What the app's own pages send with a write (inject's default Host is localhost:80). */
export const SAME_ORIGIN = 'http://localhost:80';

export interface BrowserSession {
  cookie: string;
  csrf: string;
  /** Headers of a same-origin write from the dashboard page. */
  write: Record<string, string>;
}

/** The `ml_session` value a response set, or undefined. */
export function sessionCookieOf(res: { cookies: Array<{ name: string; value: string }> }): string | undefined {
  return res.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
}

/** The CSRF token and headers for a session cookie, from `GET /api/v1/session`. */
export async function browserSession(app: FastifyInstance, cookieValue: string): Promise<BrowserSession> {
  const cookie = `${SESSION_COOKIE}=${cookieValue}`;
  const res = await app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
  expect(res.statusCode, res.body).toBe(200);
  const csrf = res.json().csrfToken as string;
  expect(typeof csrf).toBe('string');
  return { cookie, csrf, write: { cookie, origin: SAME_ORIGIN, 'x-csrf-token': csrf } };
}

/** Signs in as the instance admin through a fresh sign-in link. */
export async function signInAsAdmin(app: FastifyInstance): Promise<BrowserSession> {
  const { code } = await app.sessions.createLoginLink();
  const res = await app.inject({ method: 'GET', url: `/login/${code}` });
  expect(res.statusCode, res.body).toBe(302);
  const value = sessionCookieOf(res);
  expect(value).toBeDefined();
  return browserSession(app, value!);
}
