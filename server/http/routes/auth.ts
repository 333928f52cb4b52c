/**
 * The Twitch login flow: `GET /auth/twitch?as=bot|broadcaster` sends the streamer to Twitch with
 * the role's scopes and a single-use `state`; the callback checks the state, exchanges the code
 * and stores the token encrypted. `GET /auth/twitch?as=moderator&channel=<login>` is the
 * dashboard sign-in: no scope, no Twitch token kept; the broadcaster or a moderator of the
 * channel gets a dashboard session (cookie) and lands on the channel's board, anyone else a page
 * saying why not. `GET /auth/twitch?as=viewer&channel=<login>` is the sign-in of a channel's
 * public board: no scope either, and the session it opens is that user as a chat viewer only (no
 * channel role, whatever the user moderates), landing back on `/p/<channel>`. Scripts use API
 * tokens (`npm run tokens`). Answers are small HTML pages.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { TokenKeyError } from '../../twitch/token-crypto.js';
import { TwitchAccountError, TwitchScopeError, type TwitchIntegration } from '../../twitch/integration.js';
import type { DashboardLogin } from '../../twitch/dashboard-login.js';
import { authorizeUrl, channelOfState, isIdentityLogin, isLoginRole, type LoginRole, type TwitchRole } from '../../twitch/scopes.js';
import { safeError } from '../../twitch/redact.js';
import { htmlPage } from '../pages.js';
import { isTwitchLogin } from '../../domain/twitch-login.js';

export interface AuthRouteDeps {
  twitch: TwitchIntegration | null;
  publicUrl: string;
  now: () => Date;
  /**
   * Who may connect as `role`; returns a reason to refuse, or null. Without it anyone who can
   * reach the server could replace the bot's account, so the runtime always passes one.
   */
  allow?: (role: TwitchRole, user: { userId: string; login: string }) => Promise<string | null>;
  /** Refuses to start a login as `role` at all (e.g. the bot while no bot account is named). */
  startRefusal?: (role: LoginRole) => string | null;
  /** Runs after a token is stored (e.g. link the channel, sync the reward). Failures are logged only. */
  /** Set-up after a login (the broadcaster's reward); resolves with a note for the result page, or null. */
  onConnected?: (role: TwitchRole, user: { userId: string; login: string }) => Promise<string | null>;
  /** Decides and issues the dashboard token of `?as=moderator`; without it that login is off. */
  dashboardLogin?: DashboardLogin;
  /** Whether a channel exists, for the public board's `?as=viewer`; without it that login is off. */
  channelExists?: (login: string) => Promise<boolean>;
}

/**
 * These pages echo what Twitch sent back: no script at all, nothing loaded from anywhere, never
 * framed (the policy the shared page helper sends).
 */
export { AUTH_PAGE_CSP } from '../pages.js';

const page = htmlPage;

const StartQuery = Type.Object({ as: Type.Optional(Type.String({ maxLength: 20 })), channel: Type.Optional(Type.String({ maxLength: 40 })) });
const CallbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 200 })),
  state: Type.Optional(Type.String({ maxLength: 200 })),
  scope: Type.Optional(Type.String({ maxLength: 1000 })),
  error: Type.Optional(Type.String({ maxLength: 200 })),
  error_description: Type.Optional(Type.String({ maxLength: 500 })),
});

export function authRoutes(deps: AuthRouteDeps): FastifyPluginAsync {
  /** The `?as=moderator` callback: identify the person, then open a session or refuse. */
  async function dashboardCallback(request: FastifyRequest, reply: FastifyReply, twitch: TwitchIntegration, code: string, channel: string | null) {
    if (!deps.dashboardLogin || !channel) return page(reply, 400, 'Login link expired', 'Start again from /auth/twitch?as=moderator&channel=<channel>.');
    let user: { userId: string; login: string };
    try {
      user = await twitch.identify(code);
    } catch (err) {
      request.log.warn({ err: safeError(err) }, 'Twitch dashboard login failed');
      return page(reply, 502, 'Twitch login failed', 'Twitch did not accept the login (the code may have expired). Start again.');
    }
    const grant = await deps.dashboardLogin(channel, user);
    if (grant.kind === 'refused') return page(reply, 403, 'Not a moderator', `${grant.reason} Only the broadcaster and the moderators of a channel can sign in to its dashboard.`);
    // A browser signed in before gets the new session; the old one is ended, not left behind.
    if (request.dashboardSession) await request.server.sessions.revoke(request.dashboardSession.id);
    const session = await request.server.sessions.createTwitchSession({ ...user, displayName: user.login });
    request.server.sessionCookie.set(reply, session);
    return reply.header('cache-control', 'no-store').redirect(`/c/${encodeURIComponent(grant.channel)}`, 302);
  }

  /** The `?as=viewer` callback: identify the person and open a viewer session for the public board. */
  async function viewerCallback(request: FastifyRequest, reply: FastifyReply, twitch: TwitchIntegration, code: string, channel: string | null) {
    if (!deps.channelExists || !channel) return page(reply, 400, 'Login link expired', 'Start again from the public board: /auth/twitch?as=viewer&channel=<channel>.');
    if (!(await deps.channelExists(channel))) return page(reply, 404, 'Channel not found', `${channel} is not a channel of this Mission Link.`);
    let user: { userId: string; login: string };
    try {
      user = await twitch.identify(code);
    } catch (err) {
      request.log.warn({ err: safeError(err) }, 'Twitch viewer login failed');
      return page(reply, 502, 'Twitch login failed', 'Twitch did not accept the login (the code may have expired). Start again.');
    }
    if (request.dashboardSession) await request.server.sessions.revoke(request.dashboardSession.id);
    const session = await request.server.sessions.createViewerSession({ ...user, displayName: user.login });
    request.server.sessionCookie.set(reply, session);
    request.log.info({ channel, login: user.login }, 'public board sign-in through Twitch');
    return reply.header('cache-control', 'no-store').redirect(`/p/${encodeURIComponent(channel)}`, 302);
  }

  return async (app) => {
    app.get('/auth/twitch', { schema: { tags: ['auth'], summary: 'Start the Twitch login', querystring: StartQuery } }, async (request, reply) => {
      const { twitch } = deps;
      if (!twitch) {
        return page(reply, 503, 'Twitch is not configured', 'Set TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET and TOKEN_ENCRYPTION_KEY, then restart.');
      }
      const query = request.query as { as?: string; channel?: string };
      const role = query.as ?? 'broadcaster';
      if (!isLoginRole(role)) {
        return page(reply, 400, 'Unknown role', 'Use /auth/twitch?as=bot, ?as=broadcaster, ?as=moderator&channel=<channel> or ?as=viewer&channel=<channel>.');
      }
      const refusal = deps.startRefusal?.(role) ?? null;
      if (refusal !== null) return page(reply, 403, 'Login not open', refusal);
      let channel: string | null = null;
      if (isIdentityLogin(role)) {
        const enabled = role === 'moderator' ? deps.dashboardLogin !== undefined : deps.channelExists !== undefined;
        if (!enabled) return page(reply, 404, 'Dashboard login is off', 'This server does not offer the dashboard sign-in through Twitch.');
        channel = query.channel?.toLowerCase() ?? null;
        if (!channel || !isTwitchLogin(channel)) {
          return page(reply, 400, 'Which channel?', `Use /auth/twitch?as=${role}&channel=<channel login>.`);
        }
      }
      const state = await twitch.store.createState(role, deps.now(), channel);
      const url = authorizeUrl({ authorizeBase: twitch.authorizeBase, clientId: twitch.clientId, publicUrl: deps.publicUrl, role, state });
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    });

    app.get(
      '/auth/twitch/callback',
      { schema: { tags: ['auth'], summary: 'Twitch login callback', querystring: CallbackQuery } },
      async (request, reply) => {
        const { twitch } = deps;
        if (!twitch) return page(reply, 503, 'Twitch is not configured', 'Set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET, then restart.');
        const query = request.query as { code?: string; state?: string; error?: string };
        // The state is consumed whatever the outcome, so a denied or failed login cannot be replayed.
        const role = query.state ? await twitch.store.consumeState(query.state, deps.now()) : null;
        if (query.error) {
          const denied = query.error === 'access_denied';
          request.log.info({ error: query.error }, 'Twitch login not completed');
          return page(
            reply,
            denied ? 403 : 400,
            denied ? 'Login cancelled' : 'Twitch refused the login',
            denied
              ? 'You declined the permissions on Twitch, so nothing was connected. Start again from /auth/twitch when you are ready.'
              : `Twitch answered "${query.error}". Nothing was connected; start again from /auth/twitch.`,
          );
        }
        if (!role) {
          return page(reply, 400, 'Login link expired', 'This login link is unknown, already used or expired. Start again from /auth/twitch.');
        }
        if (!query.code) return page(reply, 400, 'No authorization code', 'Twitch did not send a code. Start again from /auth/twitch.');
        if (role === 'moderator') return dashboardCallback(request, reply, twitch, query.code, channelOfState(query.state ?? ''));
        if (role === 'viewer') return viewerCallback(request, reply, twitch, query.code, channelOfState(query.state ?? ''));
        try {
          const user = await twitch.connect(role, query.code, deps.allow ? (u) => deps.allow!(role, u) : undefined);
          const note = deps.onConnected
            ? await deps.onConnected(role, user).catch((err: unknown) => {
                request.log.warn({ err: safeError(err) }, 'post-login sync failed');
                return null;
              })
            : null;
          const connected = `${user.login} is connected as the ${role === 'bot' ? 'chat bot' : 'broadcaster'}.`;
          return page(reply, 200, 'Connected', note ? `${connected} ${note}` : `${connected} You can close this page.`);
        } catch (err) {
          if (err instanceof TwitchScopeError) return page(reply, 400, 'Permissions missing', `${err.message}. Start again and accept every permission.`);
          if (err instanceof TwitchAccountError) return page(reply, 403, 'Account refused', err.message);
          if (err instanceof TokenKeyError) return page(reply, 503, 'Token key missing', err.message);
          request.log.warn({ err: safeError(err) }, 'Twitch login failed');
          return page(reply, 502, 'Twitch login failed', 'Twitch did not accept the login (the code may have expired). Start again from /auth/twitch.');
        }
      },
    );
  };
}
