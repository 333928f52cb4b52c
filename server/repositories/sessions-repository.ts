/** SQL for dashboard sessions and sign-in links. Only hashes of the secrets are stored. */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';

/** `viewer`: signed in from a public board; never granted a channel role (the query below skips it). */
export type SessionKind = 'admin' | 'twitch' | 'viewer';

export interface ChannelGrant {
  channelId: number;
  login: string;
  role: 'owner' | 'moderator';
}

export interface SessionRow {
  id: number;
  kind: SessionKind;
  userId: string | null;
  login: string | null;
  displayName: string | null;
  csrfSecret: string;
  expiresAt: Date;
  /** The channels the session's Twitch user may act in, as of now; empty for admin sessions. */
  grants: ChannelGrant[];
}

export interface NewSessionValues {
  tokenHash: string;
  kind: SessionKind;
  user: { userId: string; login: string; displayName: string } | null;
  csrfSecret: string;
  expiresAt: Date;
}

export async function insertSession(tx: Executor, values: NewSessionValues): Promise<number> {
  const result = await tx.execute(sql`
    INSERT INTO dashboard_sessions (token_hash, kind, user_id, login, display_name, csrf_secret, expires_at)
    VALUES (${values.tokenHash}, ${values.kind}, ${values.user?.userId ?? null}, ${values.user?.login ?? null},
            ${values.user?.displayName ?? null}, ${values.csrfSecret}, ${values.expiresAt})
    RETURNING id`);
  return Number((result.rows[0] as { id: number }).id);
}

/**
 * The live session with this hash and, in the same statement, its channel grants: owner of the
 * channels it broadcasts (by Twitch id; by login while the channel's id is unresolved), moderator
 * of those whose last synced moderator list names it.
 */
export async function findLiveSession(tx: Executor, tokenHash: string, now: Date): Promise<SessionRow | null> {
  const result = await tx.execute(sql`
    SELECT s.id, s.kind, s.user_id, s.login, s.display_name, s.csrf_secret, s.expires_at,
      COALESCE((
        SELECT json_agg(json_build_object('channelId', g.id, 'login', g.login, 'role', g.role) ORDER BY g.login)
        FROM (
          SELECT DISTINCT ON (c.id) c.id, c.login, g.role
          FROM (
            SELECT c.id, 'owner' AS role, 0 AS rank FROM channels c
            WHERE s.kind = 'twitch' AND (c.broadcaster_id = s.user_id OR (c.broadcaster_id IS NULL AND c.login = s.login))
            UNION ALL
            SELECT m.channel_id, 'moderator', 1 FROM channel_moderators m WHERE s.kind = 'twitch' AND m.user_id = s.user_id
          ) g JOIN channels c ON c.id = g.id
          ORDER BY c.id, g.rank
        ) g
      ), '[]'::json) AS grants
    FROM dashboard_sessions s
    WHERE s.token_hash = ${tokenHash} AND s.revoked_at IS NULL AND s.expires_at > ${now}`);
  const row = result.rows[0] as
    | { id: number; kind: SessionKind; user_id: string | null; login: string | null; display_name: string | null; csrf_secret: string; expires_at: Date | string; grants: ChannelGrant[] }
    | undefined;
  if (!row) return null;
  return {
    id: Number(row.id),
    kind: row.kind,
    userId: row.user_id,
    login: row.login,
    displayName: row.display_name,
    csrfSecret: row.csrf_secret,
    expiresAt: new Date(row.expires_at),
    grants: row.grants,
  };
}

/**
 * The channels a Twitch user may act in now, as `findLiveSession` grants them: owner of the
 * channels they broadcast, moderator of those whose synced moderator list names them.
 */
export async function grantsOfUser(tx: Executor, userId: string, login: string): Promise<ChannelGrant[]> {
  const result = await tx.execute(sql`
    SELECT DISTINCT ON (c.id) c.id AS channel_id, c.login, g.role
    FROM (
      SELECT c.id, 'owner' AS role, 0 AS rank FROM channels c
      WHERE c.broadcaster_id = ${userId} OR (c.broadcaster_id IS NULL AND c.login = ${login})
      UNION ALL
      SELECT m.channel_id, 'moderator', 1 FROM channel_moderators m WHERE m.user_id = ${userId}
    ) g JOIN channels c ON c.id = g.id
    ORDER BY c.id, g.rank`);
  return (result.rows as { channel_id: number; login: string; role: 'owner' | 'moderator' }[]).map((r) => ({
    channelId: Number(r.channel_id),
    login: r.login,
    role: r.role,
  }));
}

/** Who a revoked session belonged to. */
export interface RevokedSession {
  id: number;
  kind: SessionKind;
  userId: string | null;
  login: string | null;
  displayName: string | null;
}

const revokedOf = (rows: unknown[]): RevokedSession[] =>
  (rows as { id: number; kind: SessionKind; user_id: string | null; login: string | null; display_name: string | null }[]).map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    userId: r.user_id,
    login: r.login,
    displayName: r.display_name,
  }));

/** Marks a session revoked and says whose it was; null when it was not live. */
export async function revokeSession(tx: Executor, id: number, now: Date): Promise<RevokedSession | null> {
  const result = await tx.execute(sql`
    UPDATE dashboard_sessions SET revoked_at = ${now} WHERE id = ${id} AND revoked_at IS NULL
    RETURNING id, kind, user_id, login, display_name`);
  return revokedOf(result.rows)[0] ?? null;
}

/** Revokes every live session; returns whose they were. */
export async function revokeEverySession(tx: Executor, now: Date): Promise<RevokedSession[]> {
  const result = await tx.execute(sql`
    UPDATE dashboard_sessions SET revoked_at = ${now} WHERE revoked_at IS NULL
    RETURNING id, kind, user_id, login, display_name`);
  return revokedOf(result.rows);
}

export async function insertLoginLink(tx: Executor, codeHash: string, expiresAt: Date, now: Date): Promise<void> {
  // Links unused a day after they expired are of no use, even to tell "expired" from "unknown".
  await tx.execute(sql`DELETE FROM login_links WHERE used_at IS NULL AND expires_at < ${new Date(now.getTime() - 86_400_000)}`);
  await tx.execute(sql`INSERT INTO login_links (code_hash, expires_at) VALUES (${codeHash}, ${expiresAt})`);
}

/**
 * Uses the link if it is unused and unexpired (the row lock makes a second use wait, then fail);
 * otherwise says why it cannot be used.
 */
export async function claimLoginLink(tx: Executor, codeHash: string, now: Date): Promise<'claimed' | 'unknown' | 'expired' | 'used'> {
  const claimed = await tx.execute(sql`
    UPDATE login_links SET used_at = ${now}
    WHERE code_hash = ${codeHash} AND used_at IS NULL AND expires_at > ${now}
    RETURNING code_hash`);
  if (claimed.rows.length > 0) return 'claimed';
  const found = await tx.execute(sql`SELECT used_at FROM login_links WHERE code_hash = ${codeHash}`);
  const row = found.rows[0] as { used_at: Date | null } | undefined;
  if (!row) return 'unknown';
  return row.used_at === null ? 'expired' : 'used';
}

export async function linkSessionToLoginLink(tx: Executor, codeHash: string, sessionId: number): Promise<void> {
  await tx.execute(sql`UPDATE login_links SET session_id = ${sessionId} WHERE code_hash = ${codeHash}`);
}

/** A live Twitch session that holds a grant in one channel, as the channel's access page lists it. */
export interface ChannelSessionRow {
  id: number;
  userId: string;
  login: string;
  displayName: string | null;
  role: 'owner' | 'moderator';
  createdAt: Date;
  expiresAt: Date;
}

/**
 * The live Twitch sessions of the channel's broadcaster and of its moderators (by the same grant
 * rule as `findLiveSession`), newest first. Admin sessions belong to no channel and are left out.
 */
export async function listChannelSessions(tx: Executor, channelId: number, now: Date): Promise<ChannelSessionRow[]> {
  const result = await tx.execute(sql`
    SELECT s.id, s.user_id, s.login, s.display_name, s.created_at, s.expires_at,
      CASE WHEN c.broadcaster_id = s.user_id OR (c.broadcaster_id IS NULL AND c.login = s.login) THEN 'owner' ELSE 'moderator' END AS role
    FROM dashboard_sessions s
    JOIN channels c ON c.id = ${channelId}
    WHERE s.kind = 'twitch' AND s.revoked_at IS NULL AND s.expires_at > ${now}
      AND (c.broadcaster_id = s.user_id OR (c.broadcaster_id IS NULL AND c.login = s.login)
        OR EXISTS (SELECT 1 FROM channel_moderators m WHERE m.channel_id = c.id AND m.user_id = s.user_id))
    ORDER BY s.created_at DESC, s.id DESC`);
  return (result.rows as Array<{ id: number; user_id: string; login: string; display_name: string | null; created_at: Date | string; expires_at: Date | string; role: 'owner' | 'moderator' }>).map((row) => ({
    id: Number(row.id),
    userId: row.user_id,
    login: row.login,
    displayName: row.display_name,
    role: row.role,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
  }));
}
