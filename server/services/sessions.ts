/**
 * Dashboard sessions and single-use sign-in links. A session cookie carries 32 random bytes and
 * a link code 24; both are stored only as SHA-256 hashes, so reading the database gives no way in.
 * A link signs its holder in as the instance admin, once, within 15 minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database, Tx } from '../../db/client.js';
import { ADMIN_PERSON, COMMAND_LINE_ORIGIN, personOf, type ActivityBy, type ActivityOrigin } from '../domain/activity-origin.js';
import type { ActivityAction } from '../domain/activity.js';
import {
  claimLoginLink,
  findLiveSession,
  grantsOfUser,
  insertLoginLink,
  insertSession,
  linkSessionToLoginLink,
  revokeEverySession,
  revokeSession,
  type RevokedSession,
  type SessionKind,
  type SessionRow,
} from '../repositories/sessions-repository.js';
import { recordActivity } from './activity.js';

export type { ChannelGrant, SessionRow } from '../repositories/sessions-repository.js';

export const LOGIN_LINK_TTL_MS = 15 * 60_000;
export const SESSION_TTL_MS = 7 * 24 * 3_600_000;
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;
const LINK_CODE = /^[A-Za-z0-9_-]{32}$/;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface NewSession {
  id: number;
  /** The cookie value; never stored or logged. */
  token: string;
  expiresAt: Date;
}

export type LinkRefusal = 'unknown' | 'expired' | 'used';

export interface TwitchUserIdentity {
  userId: string;
  login: string;
  displayName: string;
}

export interface SessionService {
  /** A fresh sign-in link code (15 minutes, single use). */
  createLoginLink(): Promise<{ code: string; expiresAt: Date }>;
  /** Uses a link: an admin session, or why not. */
  redeemLoginLink(code: string): Promise<{ ok: true; session: NewSession } | { ok: false; reason: LinkRefusal }>;
  /** A session for a Twitch user (its channel roles are read at each request). */
  createTwitchSession(user: TwitchUserIdentity): Promise<NewSession>;
  /**
   * A session for a Twitch user signed in from a public board: that user as a chat viewer, with
   * no channel role anywhere, whatever the user moderates or broadcasts.
   */
  createViewerSession(user: TwitchUserIdentity): Promise<NewSession>;
  /** The live session behind a cookie value, or null (unknown, expired, revoked, malformed). */
  find(token: string): Promise<SessionRow | null>;
  /**
   * Ends a session; false when it was not live. Without `by` the session signs itself out (logout,
   * or a browser signing in again); with `by`, someone else revoked it (an owner on the tokens page).
   */
  revoke(id: number, by?: ActivityBy): Promise<boolean>;
  /**
   * Signs every browser out (a lost laptop, a link someone else used); returns how many sessions
   * ended. `by`: who did it, for the audit trail (the operator on the command line when not said).
   */
  revokeAll(by?: ActivityBy): Promise<number>;
}

/** The audit trail's origin of a session's own sign-in or sign-out: that person, in the dashboard. */
function sessionOrigin(session: { kind: SessionKind; userId: string | null; login: string | null; displayName: string | null }): ActivityOrigin {
  if (session.kind === 'admin' || session.userId === null || session.login === null) return { source: 'dashboard', actor: ADMIN_PERSON };
  return { source: 'dashboard', actor: personOf({ userId: session.userId, login: session.login, displayName: session.displayName ?? session.login }) };
}

/**
 * Records `action` about a session: one entry in each channel a Twitch user's session grants (so
 * each channel's trail shows who came and went), one entry of the whole instance for the admin's
 * session or a session that grants no channel.
 */
async function recordSession(tx: Tx, by: ActivityBy, action: ActivityAction, session: RevokedSession): Promise<void> {
  const grants = session.kind === 'twitch' && session.userId !== null && session.login !== null ? await grantsOfUser(tx, session.userId, session.login) : [];
  // A revocation is done to someone: they are its subject. Signing in or out, they are the actor.
  const subject =
    action === 'session.revoked' && session.userId !== null && session.login !== null
      ? { userId: session.userId, login: session.login, displayName: session.displayName ?? session.login }
      : null;
  const details = (role?: string) => ({ sessionId: session.id, ...(role === undefined ? {} : { role }) });
  await recordActivity(
    tx,
    by,
    grants.length === 0
      ? { channelId: null, action, subject, details: details() }
      : grants.map((g) => ({ channelId: g.channelId, action, subject, details: details(g.role) })),
  );
}

/** The sign-in URL for a link code. */
export const loginLinkUrl = (publicUrl: string, code: string): string => `${publicUrl}/login/${code}`;

export function createSessionService(db: Database, now: () => Date = () => new Date()): SessionService {
  const newSecrets = () => {
    const token = randomBytes(32).toString('base64url');
    return { token, tokenHash: sha256(token), csrfSecret: randomBytes(18).toString('base64url') };
  };

  return {
    async createLoginLink() {
      const code = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now().getTime() + LOGIN_LINK_TTL_MS);
      await insertLoginLink(db, sha256(code), expiresAt, now());
      return { code, expiresAt };
    },

    async redeemLoginLink(code) {
      if (!LINK_CODE.test(code)) return { ok: false, reason: 'unknown' };
      const codeHash = sha256(code);
      const at = now();
      return db.transaction(async (tx) => {
        const claim = await claimLoginLink(tx, codeHash, at);
        if (claim !== 'claimed') return { ok: false as const, reason: claim };
        const { token, tokenHash, csrfSecret } = newSecrets();
        const expiresAt = new Date(at.getTime() + SESSION_TTL_MS);
        const id = await insertSession(tx, { tokenHash, kind: 'admin', user: null, csrfSecret, expiresAt });
        await linkSessionToLoginLink(tx, codeHash, id);
        const session = { id, kind: 'admin' as const, userId: null, login: null, displayName: null };
        await recordSession(tx, sessionOrigin(session), 'session.signed_in', session);
        return { ok: true as const, session: { id, token, expiresAt } };
      });
    },

    async createTwitchSession(user) {
      const { token, tokenHash, csrfSecret } = newSecrets();
      const expiresAt = new Date(now().getTime() + SESSION_TTL_MS);
      return db.transaction(async (tx) => {
        const id = await insertSession(tx, { tokenHash, kind: 'twitch', user, csrfSecret, expiresAt });
        const session = { id, kind: 'twitch' as const, ...user };
        await recordSession(tx, sessionOrigin(session), 'session.signed_in', session);
        return { id, token, expiresAt };
      });
    },

    async createViewerSession(user) {
      const { token, tokenHash, csrfSecret } = newSecrets();
      const expiresAt = new Date(now().getTime() + SESSION_TTL_MS);
      const id = await insertSession(db, { tokenHash, kind: 'viewer', user, csrfSecret, expiresAt });
      return { id, token, expiresAt };
    },

    async find(token) {
      if (!SESSION_TOKEN.test(token)) return null;
      return findLiveSession(db, sha256(token), now());
    },

    revoke: (id, by) =>
      db.transaction(async (tx) => {
        const session = await revokeSession(tx, id, now());
        if (session === null) return false;
        // A viewer's sign-in to the public board is theirs alone, not an action on the channel.
        if (session.kind === 'viewer') return true;
        if (by === undefined) await recordSession(tx, sessionOrigin(session), 'session.signed_out', session);
        else await recordSession(tx, by, 'session.revoked', session);
        return true;
      }),

    revokeAll: (by = COMMAND_LINE_ORIGIN) =>
      db.transaction(async (tx) => {
        const ended = await revokeEverySession(tx, now());
        for (const session of ended) if (session.kind !== 'viewer') await recordSession(tx, by, 'session.revoked', session);
        return ended.length;
      }),
  };
}
