/**
 * API tokens for the dashboard (per channel, `moderator` or `owner`) and the bot (`bot`,
 * optionally bound to one channel). A token is `ml_` + 32 random bytes (base64url); only its
 * sha256 is stored, so a database leak does not leak usable tokens.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../../db/client.js';
import { COMMAND_LINE_ORIGIN, type ActivityBy } from '../domain/activity-origin.js';
import { errors } from '../domain/errors.js';
import { recordActivity } from './activity.js';
import {
  findActiveTokenByHash,
  insertToken,
  listAllTokens,
  listTokensByChannel,
  listUnscopedTokens,
  revokeTokenReturning,
  type TokenRole,
  type TokenRow,
} from '../repositories/tokens-repository.js';

export type { TokenRole, TokenRow } from '../repositories/tokens-repository.js';

export const TOKEN_PREFIX = 'ml_';
const TOKEN_PATTERN = /^ml_[A-Za-z0-9_-]{43}$/;

/** Hex sha256, as stored in `api_tokens.token_hash`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether a string has the shape of an issued token (checked before any database lookup). */
export function looksLikeApiToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export interface IssueTokenInput {
  /** Required for `moderator` and `owner`; optional for `bot` (unbound: may act in any channel). */
  channelId?: number | null;
  role: TokenRole;
  label?: string | null;
}

export interface IssuedToken {
  id: number;
  /** Shown once; never stored or logged. */
  token: string;
}

/**
 * `by` on issue and revoke: who did it, for the audit trail; the operator on the command line when
 * not said (the tokens and channels tools).
 */
export interface TokenService {
  issueToken(input: IssueTokenInput, by?: ActivityBy): Promise<IssuedToken>;
  /** Returns false if the token does not exist or is already revoked. */
  revokeToken(id: number, by?: ActivityBy): Promise<boolean>;
  /** The active token record for a presented token, or null. */
  findByToken(token: string): Promise<TokenRow | null>;
  /** A channel's tokens; `null` lists the unbound bot tokens. */
  listTokens(channelId: number | null): Promise<TokenRow[]>;
  /** Every token of every channel, and the unbound ones. */
  listAllTokens(): Promise<TokenRow[]>;
}

export function createTokenService(db: Executor, now: () => Date = () => new Date()): TokenService {
  return {
    async issueToken({ channelId = null, role, label = null }, by = COMMAND_LINE_ORIGIN) {
      if (role !== 'bot' && channelId === null) {
        throw errors.validation(`${role === 'owner' ? 'An owner' : 'A moderator'} token must belong to a channel`);
      }
      if (label !== null && label.length > 100) throw errors.validation('label must be at most 100 characters');
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      return db.transaction(async (tx) => {
        const row = await insertToken(tx, { channelId, role, label, tokenHash: hashToken(token) });
        // An unbound bot token belongs to no channel: an entry of the whole instance.
        await recordActivity(tx, by, { channelId, action: 'token.issued', details: { tokenId: row.id, role, label } });
        return { id: row.id, token };
      });
    },
    revokeToken: (id, by = COMMAND_LINE_ORIGIN) =>
      db.transaction(async (tx) => {
        const row = await revokeTokenReturning(tx, id, now());
        if (row === null) return false;
        await recordActivity(tx, by, { channelId: row.channelId, action: 'token.revoked', details: { tokenId: row.id, role: row.role, label: row.label } });
        return true;
      }),
    async findByToken(token) {
      if (!looksLikeApiToken(token)) return null;
      return findActiveTokenByHash(db, hashToken(token));
    },
    listTokens: (channelId) => (channelId === null ? listUnscopedTokens(db) : listTokensByChannel(db, channelId)),
    listAllTokens: () => listAllTokens(db),
  };
}
