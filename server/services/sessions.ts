/**
 * Dashboard sessions and single-use sign-in links. A session cookie carries 32 random bytes and
 * a link code 24; both are stored only as SHA-256 hashes, so reading the database gives no way in.
 * A link signs its holder in as the instance admin, once, within 15 minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../../db/client.js';
import {
  claimLoginLink,
  findLiveSession,
  insertLoginLink,
  insertSession,
  linkSessionToLoginLink,
  revokeAllSessions,
  revokeSessionById,
  type SessionRow,
} from '../repositories/sessions-repository.js';

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
  revoke(id: number): Promise<boolean>;
  /** Signs every browser out (a lost laptop, a link someone else used); returns how many sessions ended. */
  revokeAll(): Promise<number>;
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
        return { ok: true as const, session: { id, token, expiresAt } };
      });
    },

    async createTwitchSession(user) {
      const { token, tokenHash, csrfSecret } = newSecrets();
      const expiresAt = new Date(now().getTime() + SESSION_TTL_MS);
      const id = await insertSession(db, { tokenHash, kind: 'twitch', user, csrfSecret, expiresAt });
      return { id, token, expiresAt };
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

    revoke: (id) => revokeSessionById(db, id, now()),
    revokeAll: () => revokeAllSessions(db, now()),
  };
}
