/**
 * Dashboard sessions on the HTTP layer: the httpOnly session cookie, the session as the request's
 * principal when no bearer token is sent, and the CSRF defence of cookie-authenticated writes.
 *
 * CSRF: a browser sends the session cookie with any request to this host, including one a
 * hostile page makes it send. So every non-GET request that is authenticated by the cookie must
 * carry (1) an `Origin` (or, without it, a `Referer`) of this server, and (2) an `x-csrf-token`
 * header holding a token from `GET /api/v1/session`, which another site cannot read. Tokens are
 * made and checked by @fastify/csrf-protection from a secret kept in the session's own row, so a
 * token dies with its session. Bearer-token requests carry no ambient credential and skip both.
 */
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NewSession, SessionRow, SessionService } from '../../services/sessions.js';
import type { ActivityBy } from '../../domain/activity-origin.js';

export const SESSION_COOKIE = 'ml_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyInstance {
    /** Sessions and sign-in links (see `createSessionService`). */
    sessions: SessionService;
    /** Sets or clears the session cookie with this server's cookie attributes. */
    sessionCookie: { set(reply: FastifyReply, session: NewSession): void; clear(reply: FastifyReply): void };
    /** Whether a browser request comes from this server's own pages (see `sameOrigin`). */
    isSameOrigin(request: FastifyRequest): boolean;
    /** Runs `listener` after a session is revoked here (logout), e.g. to close its live sockets. */
    onSessionRevoked(listener: (sessionId: number) => void): void;
  }
  interface FastifyRequest {
    /** The live session behind the cookie, when the request is authenticated by one. */
    dashboardSession: SessionRow | null;
    /**
     * Where @fastify/csrf-protection (in its session mode) reads the CSRF secret: the session
     * row's, set when the cookie resolves.
     */
    session: { _csrf?: string } | null;
  }
}

export interface SessionPluginOptions {
  sessions: SessionService;
  /** PUBLIC_URL: its origin is always accepted, and https there makes the cookie `Secure`. */
  publicUrl: string;
}

/**
 * Whether `origin` (scheme://host[:port]) is this server: the public URL's origin, or the host
 * the request was sent to (a browser sets `Host` itself; a page elsewhere cannot choose it).
 */
export function sameOrigin(origin: string | undefined, requestHost: string, publicOrigin: string): boolean {
  if (origin === undefined || origin === '' || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  if (parsed.origin === publicOrigin) return true;
  try {
    // Through URL, so a default port written out (`localhost:80`) compares equal to none.
    return new URL(`${parsed.protocol}//${requestHost}`).host === parsed.host;
  } catch {
    return false;
  }
}

const single = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function forbidden(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(403).header('cache-control', 'no-store').send({ error: { code: 'CSRF', message } });
}

export const sessionPlugin = fp<SessionPluginOptions>(
  async (app: FastifyInstance, options) => {
    const { sessions } = options;
    const secure = options.publicUrl.startsWith('https:');
    const publicOrigin = new URL(options.publicUrl).origin;

    await app.register(cookie);
    // Session mode: the secret is `request.session._csrf`, which the hook below fills from the row.
    await app.register(csrfProtection, { sessionPlugin: '@fastify/session', logLevel: 'info' });

    const revokedListeners = new Set<(sessionId: number) => void>();
    app.decorate('sessions', {
      ...sessions,
      async revoke(id: number, by?: ActivityBy) {
        const revoked = await sessions.revoke(id, by);
        for (const listener of revokedListeners) listener(id);
        return revoked;
      },
    });
    app.decorate('onSessionRevoked', (listener: (sessionId: number) => void) => {
      revokedListeners.add(listener);
    });
    app.decorate('sessionCookie', {
      set(reply: FastifyReply, session: NewSession) {
        reply.setCookie(SESSION_COOKIE, session.token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          secure,
          expires: session.expiresAt,
        });
      },
      clear(reply: FastifyReply) {
        reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      },
    });
    const isSameOrigin = (request: FastifyRequest): boolean => {
      const origin = single(request.headers.origin);
      if (origin !== undefined) return sameOrigin(origin, request.host, publicOrigin);
      const referer = single(request.headers.referer);
      if (referer === undefined) return false;
      try {
        return sameOrigin(new URL(referer).origin, request.host, publicOrigin);
      } catch {
        return false;
      }
    };
    app.decorate('isSameOrigin', isSameOrigin);
    app.decorateRequest('dashboardSession', null);
    app.decorateRequest('session', null);

    // After the auth plugin's hook: a bearer token, when sent, wins and the cookie is ignored.
    app.addHook('preValidation', async (request, reply) => {
      if (request.principal?.kind !== 'anonymous') return;
      const token = request.cookies[SESSION_COOKIE];
      if (token === undefined || token === '') return;
      const row = await sessions.find(token);
      if (row === null) {
        request.principal = { kind: 'invalid' };
        return;
      }
      request.dashboardSession = row;
      request.session = { _csrf: row.csrfSecret };
      request.principal = {
        kind: 'session',
        sessionId: row.id,
        admin: row.kind === 'admin',
        user: row.userId !== null && row.login !== null ? { userId: row.userId, login: row.login, displayName: row.displayName ?? row.login } : null,
        grants: row.grants,
      };
      if (SAFE_METHODS.has(request.method)) return;
      if (!isSameOrigin(request)) {
        return forbidden(reply, 'Cross-site request refused: send it from the dashboard page (Origin must be this server)');
      }
      // The plugin's check is synchronous: it calls `next` or sends its 403 (see the error handler).
      let passed = false;
      app.csrfProtection(request, reply, () => {
        passed = true;
      });
      return passed ? undefined : reply;
    });
  },
  { name: 'mission-link-sessions', fastify: '5.x', dependencies: ['mission-link-auth'] },
);
