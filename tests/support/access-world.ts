/**
 * The callers of the authorisation tables (`tests/integration/access-*.test.ts`): one harness
 * with two channels, and every kind of credential that can reach the API — the admin, owner and
 * moderator tokens, bot tokens relaying chat users, dashboard sessions of the admin, the owner
 * and the moderators, a viewer signed in on the public board, a session without its CSRF token
 * and one that was logged out — each as the headers it sends. Plus the write routes the app
 * registers, read from its own route tree, so a table can fail when a route is missing from it.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { browserSession, signInAsAdmin, type BrowserSession } from './dashboard.js';
import { asAdmin, asChatUser, call, createChannel, startHarness, type Harness } from './harness.js';

export type Who =
  | 'none'
  | 'wrong'
  | 'otherOwner'
  | 'otherBot'
  | 'moderator'
  | 'owner'
  | 'admin'
  | 'botViewer'
  | 'botModerator'
  | 'botBroadcaster'
  | 'botFromOtherChannel'
  /** Dashboard sessions (cookie + CSRF token + same-origin Origin): the admin, this channel's broadcaster and moderator. */
  | 'adminSession'
  | 'ownerSession'
  | 'moderatorSession'
  /** A moderator of the other channel only. */
  | 'otherModeratorSession'
  /** A Twitch viewer signed in on the public board: no channel role anywhere. */
  | 'viewerSession'
  /** This channel's moderator, signed in on the public board: a viewer session too, so no role rides on it. */
  | 'modViewerSession'
  /** The admin's session without the CSRF token, and one that was logged out. */
  | 'sessionNoCsrf'
  | 'revokedSession';

export const EVERYONE: Who[] = [
  'none', 'wrong', 'otherOwner', 'otherBot', 'moderator', 'owner', 'admin', 'botViewer', 'botModerator', 'botBroadcaster', 'botFromOtherChannel',
  'adminSession', 'ownerSession', 'moderatorSession', 'otherModeratorSession', 'viewerSession', 'modViewerSession', 'sessionNoCsrf', 'revokedSession',
];
export const UNAUTHENTICATED: Who[] = ['none', 'wrong', 'revokedSession'];

/** Who may write in the channel as somebody: the chat users the bot relays, and the channel's team. */
export const CHANNEL_MEMBERS: Who[] = ['moderator', 'owner', 'admin', 'botViewer', 'botModerator', 'botBroadcaster', 'adminSession', 'ownerSession', 'moderatorSession'];
export const MODERATORS: Who[] = ['moderator', 'owner', 'admin', 'botModerator', 'botBroadcaster', 'adminSession', 'ownerSession', 'moderatorSession'];
export const OWNER_OR_ADMIN: Who[] = ['owner', 'admin', 'adminSession', 'ownerSession'];
/**
 * Sessions that name a Twitch user, acting as themself (the public board's own pledge and `/me`):
 * a viewer session, and a dashboard session of a broadcaster or moderator, who are viewers of
 * every channel too (in chat they pledge like anyone). Tokens and the admin name no Twitch user.
 */
export const TWITCH_SELVES: Who[] = ['ownerSession', 'moderatorSession', 'otherModeratorSession', 'viewerSession', 'modViewerSession'];

export interface AccessWorld {
  h: Harness;
  home: string;
  other: string;
  homeId: number;
  otherId: number;
  tokens: Record<'owner' | 'moderator' | 'otherOwner' | 'otherBot', { id: number; token: string }>;
  sessions: Partial<Record<Who, BrowserSession>>;
  headersOf(who: Who): Record<string, string>;
  /** A fresh mission proposed by a fresh chat viewer (pending); approved by the admin when `open`. */
  freshMission(open: boolean): Promise<number>;
  /** Rows in the journal, and entries in the audit trail: a refused call moves neither. */
  journalSize(): Promise<number>;
  trailSize(): Promise<number>;
}

/** The user ids and logins behind the sessions, for tests that look them up. */
export const SESSION_USERS = {
  moderator: { userId: '5001', login: 'homemod' },
  otherModerator: { userId: '5002', login: 'othermod' },
  viewer: { userId: '5003', login: 'boardviewer' },
} as const;

export async function startAccessWorld(label: string, home: string, other: string): Promise<AccessWorld> {
  const h = await startHarness({ label, backend: 'postgres', workers: false });
  const settings = { createCooldown: 0, maxOpenMissions: 50, maxOpenMissionsPerViewer: 50, requireApproval: true };
  await createChannel(h, home, settings);
  await createChannel(h, other, settings);
  const service = createTokenService(h.runtime.db.db);
  const homeId = (await h.runtime.services.channels.get(home)).id;
  const otherId = (await h.runtime.services.channels.get(other)).id;
  const tokens = {
    owner: await service.issueToken({ channelId: homeId, role: 'owner' }),
    moderator: await service.issueToken({ channelId: homeId, role: 'moderator' }),
    otherOwner: await service.issueToken({ channelId: otherId, role: 'owner' }),
    otherBot: await service.issueToken({ channelId: otherId, role: 'bot' }),
  };
  const db = h.runtime.db.db;
  const sessions: Partial<Record<Who, BrowserSession>> = {};
  let proposals = 0;

  const headersOf = (who: Who): Record<string, string> => {
    switch (who) {
      case 'none':
        return {};
      case 'wrong':
        return { authorization: `Bearer ml_${randomBytes(24).toString('hex')}` };
      case 'otherOwner':
        return { authorization: `Bearer ${tokens.otherOwner.token}` };
      case 'otherBot':
        // A bot token bound to the other channel, relaying a message that claims to be from this one.
        return { ...asChatUser(h, home, { login: 'sneaky', role: 'broadcaster' }), authorization: `Bearer ${tokens.otherBot.token}` };
      case 'moderator':
        return { authorization: `Bearer ${tokens.moderator.token}` };
      case 'owner':
        return { authorization: `Bearer ${tokens.owner.token}` };
      case 'admin':
        return asAdmin;
      case 'botViewer':
        return asChatUser(h, home, { login: 'plainviewer', role: 'viewer' });
      case 'botModerator':
        return asChatUser(h, home, { login: 'chatmod', role: 'moderator' });
      case 'botBroadcaster':
        return asChatUser(h, home, { login: home, role: 'broadcaster' });
      case 'botFromOtherChannel':
        // The real bot token, but the message came from another channel (X-Acting-Channel mismatch).
        return asChatUser(h, other, { login: other, role: 'broadcaster' });
      case 'sessionNoCsrf': {
        const { cookie, origin } = sessions.adminSession!.write;
        return { cookie: cookie!, origin: origin! };
      }
      default:
        return sessions[who]!.write;
    }
  };

  const freshMission = async (open: boolean): Promise<number> => {
    proposals++;
    // Proposed by a chat viewer, so it starts pending (a moderator's proposal opens at once).
    const res = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${home}/missions`,
      headers: asChatUser(h, home, { login: `proposer${proposals}`, userId: `p${proposals}` }),
      payload: { text: `Mission ${proposals}`, amount: 10 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const n = res.body.number as number;
    if (open) {
      const approved = await call(h, { method: 'POST', url: `/api/v1/channels/${home}/missions/${n}/approve`, headers: asAdmin });
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    }
    return n;
  };

  const count = async (table: 'transfers' | 'activity') =>
    ((await db.execute(sql`SELECT count(*)::int AS n FROM ${sql.identifier(table)}`)).rows[0] as { n: number }).n;

  sessions.adminSession = await signInAsAdmin(h.app);
  const twitchSession = async (user: { userId: string; login: string }, moderates?: number) => {
    if (moderates !== undefined) {
      await db.execute(sql`INSERT INTO channel_moderators (channel_id, user_id, login, display_name) VALUES (${moderates}, ${user.userId}, ${user.login}, ${user.login})`);
    }
    return browserSession(h.app, (await h.app.sessions.createTwitchSession({ ...user, displayName: user.login })).token);
  };
  // The home channel's broadcaster id is unresolved, so its broadcaster is known by login.
  sessions.ownerSession = await twitchSession({ userId: `id-${home}`, login: home });
  sessions.moderatorSession = await twitchSession(SESSION_USERS.moderator, homeId);
  sessions.otherModeratorSession = await twitchSession(SESSION_USERS.otherModerator, otherId);
  const viewerSession = async (user: { userId: string; login: string }) =>
    browserSession(h.app, (await h.app.sessions.createViewerSession({ ...user, displayName: user.login })).token);
  sessions.viewerSession = await viewerSession(SESSION_USERS.viewer);
  sessions.modViewerSession = await viewerSession(SESSION_USERS.moderator);
  sessions.revokedSession = await signInAsAdmin(h.app);
  expect((await h.app.inject({ method: 'POST', url: '/logout', headers: sessions.revokedSession.write })).statusCode).toBe(204);

  return { h, home, other, homeId, otherId, tokens, sessions, headersOf, freshMission, journalSize: () => count('transfers'), trailSize: () => count('activity') };
}

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const WRITE_METHODS = new Set<string>(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every write route the app has registered, as `METHOD /path` with its parameters as Fastify
 * names them (`/api/v1/channels/:channel/tokens/:id`), read from `printRoutes`' tree: each line
 * is one node of the radix tree, its path the concatenation of its ancestors' segments. Hidden
 * routes (absent from the OpenAPI document) are there too.
 */
export function writeRoutesOf(app: FastifyInstance): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/^\/\//, '/');
    for (const method of (match[3] ?? '').split(', ')) if (WRITE_METHODS.has(method)) routes.push(`${method} ${path}`);
  }
  return routes;
}
