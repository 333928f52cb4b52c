/**
 * Signing in and out of the dashboard: `GET /login/<code>` (a single-use sign-in link makes an
 * admin session), `POST /logout` (revokes the session), and `GET /api/v1/session` (who is signed
 * in, their channels, and the CSRF token the page sends with its writes).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { channelRoleFor, type ChannelRole } from '../auth/principal.js';
import { htmlPage } from '../pages.js';
import { SessionResponse } from '../schemas/dashboard.js';
import { SESSION_COOKIE } from '../session/session-plugin.js';
import type { LinkRefusal } from '../../services/sessions.js';

export interface SessionRouteDeps {
  /** The API prefix (`/api/v1`). */
  prefix: string;
  /** Every channel (the admin's list). */
  listChannels(): Promise<Array<{ id: number; login: string }>>;
  /** What the signed-out page offers: Twitch login when a Twitch app is configured; the demo chat panel. */
  features(): { twitchLogin: boolean; demo: boolean };
}

const REFUSALS: Record<LinkRefusal, { status: number; title: string; body: string }> = {
  unknown: {
    status: 400,
    title: 'Sign-in link not valid',
    body: 'This sign-in link is not one this server made (it may be mistyped or cut short). Get a fresh one with `npm run login-link` on the server.',
  },
  expired: {
    status: 410,
    title: 'Sign-in link expired',
    body: 'Sign-in links work for 15 minutes. Get a fresh one with `npm run login-link` on the server.',
  },
  used: {
    status: 410,
    title: 'Sign-in link already used',
    body:
      'Each sign-in link works once. If you did not use it, someone else may have: run ' +
      '`npm run login-link -- --end-sessions` on the server to sign every browser out and get a fresh link.',
  },
};

export function sessionRoutes(deps: SessionRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/login/:code',
      { schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 200 }) }) } },
      async (request, reply) => {
        const result = await app.sessions.redeemLoginLink(request.params.code);
        if (!result.ok) {
          const refusal = REFUSALS[result.reason];
          request.log.info({ reason: result.reason }, 'sign-in link refused');
          return htmlPage(reply, refusal.status, refusal.title, refusal.body);
        }
        // A browser signed in before gets the new session; the old one is ended, not left behind.
        if (request.dashboardSession) await app.sessions.revoke(request.dashboardSession.id);
        app.sessionCookie.set(reply, result.session);
        request.log.info({ session: result.session.id }, 'signed in with a sign-in link');
        return reply.header('cache-control', 'no-store').redirect('/', 302);
      },
    );

    app.post('/logout', { schema: { hide: true } }, async (request, reply) => {
      if (request.dashboardSession) await app.sessions.revoke(request.dashboardSession.id);
      app.sessionCookie.clear(reply);
      return reply.code(204).header('cache-control', 'no-store').send();
    });

    app.get(
      `${deps.prefix}/session`,
      { schema: { tags: ['dashboard'], summary: 'Who is signed in to the dashboard', response: { 200: SessionResponse } } },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const { twitchLogin, demo } = deps.features();
        const principal = request.principal;
        if (principal?.kind !== 'session') {
          if (principal?.kind === 'invalid' && request.cookies[SESSION_COOKIE] !== undefined) app.sessionCookie.clear(reply);
          return { signedIn: false, user: null, channels: [], csrfToken: null, twitchLogin, demo };
        }
        const channels: Array<{ login: string; role: ChannelRole }> = [];
        if (principal.admin) {
          for (const c of await deps.listChannels()) channels.push({ login: c.login, role: 'admin' });
        } else {
          for (const g of principal.grants) {
            const role = channelRoleFor(principal, { id: g.channelId, login: g.login });
            if (role) channels.push({ login: g.login, role });
          }
        }
        return {
          signedIn: true,
          user: {
            login: principal.user?.login ?? null,
            displayName: principal.user?.displayName ?? null,
            userId: principal.user?.userId ?? null,
            admin: principal.admin,
          },
          channels,
          csrfToken: reply.generateCsrf(),
          twitchLogin,
          demo,
        };
      },
    );
  };
}
