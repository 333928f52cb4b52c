/**
 * Twitch tokens and OAuth states in Postgres. Tokens are encrypted before they leave this module
 * and decrypted only when read back; nothing here logs them.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AccessToken } from '@twurple/auth';
import type { Executor } from '../../db/client.js';
import { decryptSecret, encryptSecret, TokenKeyError } from './token-crypto.js';
import { stateWithChannel, type LoginRole, type TwitchRole } from './scopes.js';

export interface StoredToken {
  userId: string;
  role: TwitchRole;
  login: string;
  scopes: string[];
  status: 'valid' | 'invalid';
  token: AccessToken;
}

export interface TokenSummary {
  userId: string;
  role: TwitchRole;
  login: string;
  status: 'valid' | 'invalid';
  error: string | null;
}

const STATE_TTL_MS = 10 * 60_000;

/** The parts of an AccessToken worth keeping; twurple recomputes the rest. */
function serialise(token: AccessToken): string {
  return JSON.stringify({
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    scope: token.scope,
    expiresIn: token.expiresIn,
    obtainmentTimestamp: token.obtainmentTimestamp,
  });
}

export function createTokenStore(db: Executor, encryptionKey: string | undefined) {
  function requireKey(): string {
    if (!encryptionKey) {
      throw new TokenKeyError('TOKEN_ENCRYPTION_KEY is not set: it is needed to store and read Twitch tokens (32+ characters)');
    }
    return encryptionKey;
  }

  async function save(input: { userId: string; role: TwitchRole; login: string; token: AccessToken }): Promise<void> {
    const blob = encryptSecret(requireKey(), serialise(input.token));
    await db.execute(sql`
      INSERT INTO twitch_tokens (user_id, role, login, scopes, token_enc, status, error, updated_at)
      VALUES (${input.userId}, ${input.role}, ${input.login}, ${sql.param(input.token.scope)}::text[], ${blob}, 'valid', NULL, now())
      ON CONFLICT (user_id, role) DO UPDATE
        SET login = excluded.login, scopes = excluded.scopes, token_enc = excluded.token_enc,
            status = 'valid', error = NULL, updated_at = now()`);
  }

  /** A refresh writes back to every role row of the user: twurple keeps one token per user. */
  async function saveRefreshed(userId: string, token: AccessToken): Promise<void> {
    const blob = encryptSecret(requireKey(), serialise(token));
    await db.execute(sql`
      UPDATE twitch_tokens SET token_enc = ${blob}, scopes = ${sql.param(token.scope)}::text[],
        status = 'valid', error = NULL, updated_at = now()
      WHERE user_id = ${userId}`);
  }

  async function markInvalid(userId: string, reason: string): Promise<void> {
    await db.execute(sql`
      UPDATE twitch_tokens SET status = 'invalid', error = ${reason.slice(0, 200)}, updated_at = now() WHERE user_id = ${userId}`);
  }

  async function count(): Promise<number> {
    const result = await db.execute(sql`SELECT count(*)::int AS n FROM twitch_tokens`);
    return Number((result.rows[0] as { n: number }).n);
  }

  /** Every stored token, decrypted. Throws a clear `TokenKeyError` when tokens exist but the key is missing or wrong. */
  async function loadAll(): Promise<StoredToken[]> {
    const result = await db.execute(sql`
      SELECT user_id, role, login, scopes, token_enc, status FROM twitch_tokens ORDER BY updated_at`);
    const rows = result.rows as { user_id: string; role: TwitchRole; login: string; scopes: string[]; token_enc: string; status: 'valid' | 'invalid' }[];
    if (rows.length === 0) return [];
    if (!encryptionKey) {
      throw new TokenKeyError(
        `${rows.length} stored Twitch token(s) exist but TOKEN_ENCRYPTION_KEY is not set; set it to the key they were stored with, or log in again after deleting them`,
      );
    }
    return rows.map((r) => ({
      userId: r.user_id,
      role: r.role,
      login: r.login,
      scopes: r.scopes,
      status: r.status,
      token: JSON.parse(decryptSecret(encryptionKey, r.token_enc)) as AccessToken,
    }));
  }

  /** Who is connected, without any secret (for readiness, logs and the README's checks). */
  async function summaries(): Promise<TokenSummary[]> {
    const result = await db.execute(sql`SELECT user_id, role, login, status, error FROM twitch_tokens ORDER BY role, login`);
    return (result.rows as { user_id: string; role: TwitchRole; login: string; status: 'valid' | 'invalid'; error: string | null }[]).map(
      (r) => ({ userId: r.user_id, role: r.role, login: r.login, status: r.status, error: r.error }),
    );
  }

  /** A single-use state for a login as `role`; `channel` (dashboard logins) is carried in it, see {@link stateWithChannel}. */
  async function createState(role: LoginRole, now: Date, channel: string | null = null): Promise<string> {
    const state = stateWithChannel(randomBytes(24).toString('base64url'), channel);
    await db.execute(sql`DELETE FROM oauth_states WHERE expires_at < ${now}`);
    await db.execute(sql`
      INSERT INTO oauth_states (state, role, expires_at) VALUES (${state}, ${role}, ${new Date(now.getTime() + STATE_TTL_MS)})`);
    return state;
  }

  /** The role the state was issued for, consuming it; null when unknown, used or expired. */
  async function consumeState(state: string, now: Date): Promise<LoginRole | null> {
    const result = await db.execute(sql`DELETE FROM oauth_states WHERE state = ${state} RETURNING role, expires_at`);
    const row = result.rows[0] as { role: LoginRole; expires_at: Date | string } | undefined;
    if (!row || new Date(row.expires_at).getTime() <= now.getTime()) return null;
    return row.role;
  }

  return { save, saveRefreshed, markInvalid, count, loadAll, summaries, createState, consumeState };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
