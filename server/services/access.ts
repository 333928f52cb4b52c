/**
 * Who can get into one channel: its API tokens and the signed-in dashboard sessions that hold a
 * role in it. Issuing, listing and revoking, each confined to the channel it is asked for, so an
 * owner of one channel can never see or end another channel's credentials.
 */
import type { Database, Executor } from '../../db/client.js';
import { errors } from '../domain/errors.js';
import { listChannelSessions, type ChannelSessionRow } from '../repositories/sessions-repository.js';
import type { ActivityBy } from '../domain/activity-origin.js';
import { createTokenService, type TokenRow } from './tokens.js';
import { runWrite, type IdempotencyRequest } from './transaction.js';

export type { ChannelSessionRow } from '../repositories/sessions-repository.js';

/** The roles a channel's own page may issue; bot tokens stay with the instance's operator. */
export type ChannelTokenRole = 'moderator' | 'owner';

export interface IssuedChannelToken {
  row: TokenRow;
  /** The secret, present only on the request that made the token; a replay of it has none. */
  token: string | null;
}

export interface ChannelAccessService {
  listTokens(channelId: number): Promise<TokenRow[]>;
  /** `by`: who issued it, for the audit trail. */
  issueToken(channelId: number, input: { role: ChannelTokenRole; label: string | null }, by: ActivityBy, idempotency?: IdempotencyRequest): Promise<IssuedChannelToken>;
  /**
   * Revokes a token of this channel; null when the channel has no token with this id. Revoking a
   * revoked token returns it unchanged. Bot tokens need the admin (`allowBot`).
   */
  revokeToken(channelId: number, tokenId: number, options: { allowBot: boolean; by: ActivityBy }): Promise<TokenRow | null>;
  listSessions(channelId: number): Promise<ChannelSessionRow[]>;
  /** The live session with this id if it holds a role in the channel, else null. */
  findSession(channelId: number, sessionId: number): Promise<ChannelSessionRow | null>;
}

export function createChannelAccessService(db: Database, now: () => Date = () => new Date()): ChannelAccessService {
  const tokens = createTokenService(db, now);
  const tokenOf = async (executor: Executor, channelId: number, id: number) =>
    (await createTokenService(executor, now).listTokens(channelId)).find((row) => row.id === id) ?? null;

  return {
    listTokens: (channelId) => tokens.listTokens(channelId),

    async issueToken(channelId, { role, label }, by, idempotency) {
      let secret: string | null = null;
      // Only the id is stored for a replay: the secret is shown once and never kept.
      const { value } = await runWrite(db, idempotency, async (tx) => {
        const issued = await createTokenService(tx, now).issueToken({ channelId, role, label }, by);
        secret = issued.token;
        return { id: issued.id };
      });
      const row = await tokenOf(db, channelId, value.id);
      if (!row) throw new Error(`issued token #${value.id} is not listed in its channel`);
      return { row, token: secret };
    },

    async revokeToken(channelId, tokenId, { allowBot, by }) {
      const row = await tokenOf(db, channelId, tokenId);
      if (!row) return null;
      if (row.role === 'bot' && !allowBot) throw errors.forbidden("Only the admin may revoke the bot's token");
      if (row.revokedAt === null) await tokens.revokeToken(tokenId, by);
      return tokenOf(db, channelId, tokenId);
    },

    listSessions: (channelId) => listChannelSessions(db, channelId, now()),

    async findSession(channelId, sessionId) {
      return (await listChannelSessions(db, channelId, now())).find((row) => row.id === sessionId) ?? null;
    },
  };
}
