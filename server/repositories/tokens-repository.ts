/** SQL for API tokens. Only hashes are stored; the token itself is shown once, at issue. */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { apiTokens } from '../../db/schema.js';

export type TokenRole = 'moderator' | 'owner' | 'bot';

export interface TokenRow {
  id: number;
  channelId: number | null;
  role: TokenRole;
  label: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

const columns = {
  id: apiTokens.id,
  channelId: apiTokens.channelId,
  role: apiTokens.role,
  label: apiTokens.label,
  createdAt: apiTokens.createdAt,
  revokedAt: apiTokens.revokedAt,
};

export async function insertToken(
  tx: Executor,
  values: { channelId: number | null; role: TokenRole; label: string | null; tokenHash: string },
): Promise<TokenRow> {
  const [row] = await tx.insert(apiTokens).values(values).returning(columns);
  if (!row) throw new Error('insert into api_tokens returned no row');
  return row;
}

/** The unrevoked token with this hash, if any. */
export async function findActiveTokenByHash(tx: Executor, tokenHash: string): Promise<TokenRow | null> {
  const [row] = await tx
    .select(columns)
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** Marks a token revoked and returns it; null when it does not exist or was already revoked. */
export async function revokeTokenReturning(tx: Executor, id: number, now: Date): Promise<TokenRow | null> {
  const [row] = await tx
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning(columns);
  return row ?? null;
}

/** Every token of a channel (revoked ones too, for the audit trail), oldest first. */
export async function listTokensByChannel(tx: Executor, channelId: number): Promise<TokenRow[]> {
  return tx.select(columns).from(apiTokens).where(eq(apiTokens.channelId, channelId)).orderBy(asc(apiTokens.id));
}

/** Every token, bound to a channel or not. */
export async function listAllTokens(tx: Executor): Promise<TokenRow[]> {
  return tx.select(columns).from(apiTokens).orderBy(asc(apiTokens.id));
}

/** Tokens bound to no channel (global bot tokens). */
export async function listUnscopedTokens(tx: Executor): Promise<TokenRow[]> {
  return tx.select(columns).from(apiTokens).where(isNull(apiTokens.channelId)).orderBy(asc(apiTokens.id));
}
