/** Viewers: wallets (with their starting balance), balances, grants, history, leaderboard. */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { actorLabel, identitySource, isModerator, type Actor, type ChatUser, type IdentitySource } from '../domain/actor.js';
import { MAX_WALLET_BALANCE } from '../domain/bounds.js';
import { errors } from '../domain/errors.js';
import type { ViewerDto } from '../domain/types.js';
import {
  findUserByLogin,
  findUsers,
  insertUserIfAbsent,
  otherHolderOfLogin,
  upsertUser,
} from '../repositories/channels-repository.js';
import { getSystemAccounts } from '../ledger/accounts.js';
import { applyTransfers } from '../ledger/transfers.js';
import { openWallet } from '../ledger/wallets.js';
import type { Channel } from './channels.js';
import { recordActivity } from './activity.js';
import { runWrite, type IdempotencyRequest } from './transaction.js';

/** Longest reason a moderator may give for a grant or a removal. */
export const MAX_ADJUST_REASON = 200;

/**
 * The identity to act on for a user a caller named (see `IdentitySource`): a known user id keeps
 * the names it has, so one channel's caller cannot rename a viewer other channels show; a new id
 * may not take a login another user holds, so it cannot capture that viewer's `@login` either.
 */
export async function claimedIdentity(tx: Executor, user: ChatUser): Promise<ChatUser> {
  const known = (await findUsers(tx, [user.userId])).get(user.userId);
  if (known) return { userId: known.userId, login: known.login, displayName: known.displayName };
  if ((await otherHolderOfLogin(tx, user.login, user.userId)) !== null) {
    throw errors.forbidden(`The login ${user.login} belongs to another Twitch user`);
  }
  return user;
}

/**
 * Records the user and returns their wallet in this channel, crediting the starting balance once.
 * Names from Twitch follow renames; claimed names only ever create a new user.
 */
export async function ensureViewer(tx: Executor, channel: Channel, user: ChatUser, source: IdentitySource = 'twitch'): Promise<number> {
  if (source === 'twitch') await upsertUser(tx, user);
  else await insertUserIfAbsent(tx, await claimedIdentity(tx, user));
  const wallet = await openWallet(tx, channel.id, user.userId, channel.settings.startingBalance);
  return wallet.id;
}

export interface LedgerEntry {
  id: number;
  amount: number;
  kind: string;
  direction: 'in' | 'out';
  missionNumber: number | null;
  createdAt: string;
}

async function viewerRow(tx: Executor, channelId: number, userId: string) {
  const result = await tx.execute(sql`
    SELECT u.user_id, u.login, u.display_name, w.balance,
           COALESCE((SELECT sum(p.amount) FROM pledges p
                     WHERE p.channel_id = ${channelId} AND p.user_id = u.user_id AND p.settlement IS NULL), 0) AS in_escrow
    FROM users u LEFT JOIN accounts w ON w.channel_id = ${channelId} AND w.kind = 'wallet' AND w.user_id = u.user_id
    WHERE u.user_id = ${userId}`);
  const r = result.rows[0] as
    | { user_id: string; login: string; display_name: string; balance: number | null; in_escrow: number }
    | undefined;
  if (!r) return null;
  return {
    userId: r.user_id,
    login: r.login,
    displayName: r.display_name,
    balance: Number(r.balance ?? 0),
    inEscrow: Number(r.in_escrow),
    hasWallet: r.balance !== null,
  };
}

export function createViewerService(db: Database) {
  async function byUserId(channel: Channel, userId: string): Promise<ViewerDto | null> {
    const row = await viewerRow(db, channel.id, userId);
    if (!row) return null;
    const { hasWallet, ...dto } = row;
    // A viewer seen in chat but never given a wallet here would start with the starting balance.
    return hasWallet ? dto : { ...dto, balance: channel.settings.startingBalance };
  }

  /** A viewer of this channel (one with a wallet here); users seen only elsewhere are not found. */
  async function byLogin(channel: Channel, login: string): Promise<ViewerDto> {
    const user = await findUserByLogin(db, login, channel.id);
    const row = user ? await viewerRow(db, channel.id, user.userId) : null;
    if (!row || !row.hasWallet) throw errors.viewerNotFound(login);
    const { hasWallet: _ignored, ...dto } = row;
    return dto;
  }

  async function history(channel: Channel, userId: string, limit = 20): Promise<LedgerEntry[]> {
    const result = await db.execute(sql`
      SELECT t.id, t.amount, t.kind, t.created_at, m.number AS mission_number,
             CASE WHEN t.to_account = w.id THEN 'in' ELSE 'out' END AS direction
      FROM accounts w
      JOIN transfers t ON t.to_account = w.id OR t.from_account = w.id
      LEFT JOIN missions m ON m.id = t.mission_id
      WHERE w.channel_id = ${channel.id} AND w.kind = 'wallet' AND w.user_id = ${userId}
      ORDER BY t.id DESC LIMIT ${limit}`);
    return (result.rows as Record<string, unknown>[]).map((r) => ({
      id: Number(r.id),
      amount: Number(r.amount),
      kind: String(r.kind),
      direction: r.direction as 'in' | 'out',
      missionNumber: r.mission_number === null ? null : Number(r.mission_number),
      createdAt: new Date(r.created_at as string).toISOString(),
    }));
  }

  async function leaderboard(channel: Channel, limit = 10): Promise<ViewerDto[]> {
    const result = await db.execute(sql`
      SELECT u.user_id, u.login, u.display_name, w.balance,
             COALESCE((SELECT sum(p.amount) FROM pledges p
                       WHERE p.channel_id = ${channel.id} AND p.user_id = u.user_id AND p.settlement IS NULL), 0) AS in_escrow
      FROM accounts w JOIN users u ON u.user_id = w.user_id
      WHERE w.channel_id = ${channel.id} AND w.kind = 'wallet'
      ORDER BY w.balance DESC, u.login LIMIT ${limit}`);
    return (result.rows as Record<string, unknown>[]).map((r) => ({
      userId: String(r.user_id),
      login: String(r.login),
      displayName: String(r.display_name),
      balance: Number(r.balance),
      inEscrow: Number(r.in_escrow),
    }));
  }

  /**
   * Moderator grant (`give`) or removal (`take`) of points. The target must have been seen in chat
   * (identity is the Twitch user id). `take` never drives a wallet below zero. The optional
   * `reason` is kept in the audit trail with who did it.
   */
  async function adjust(
    channel: Channel,
    input: { target: ChatUser | { login: string }; amount: number; direction: 'give' | 'take'; reason?: string | null },
    actor: Actor,
    idempotency?: IdempotencyRequest,
  ): Promise<{ viewer: ViewerDto; replayed: boolean }> {
    if (!isModerator(actor)) throw errors.forbidden('Only moderators can grant or take points');
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw errors.validation('amount must be a positive integer');
    const reason = input.reason?.trim() || null;
    if (reason !== null && [...reason].length > MAX_ADJUST_REASON) {
      throw errors.validation(`reason must be at most ${MAX_ADJUST_REASON} characters`);
    }
    const { value, replayed } = await runWrite(db, idempotency, async (tx) => {
      let targetUser: ChatUser;
      let source: IdentitySource = identitySource(actor);
      if ('userId' in input.target) {
        targetUser = input.target;
      } else {
        // This channel's viewer first: a user another channel's caller named cannot take the login.
        const found = await findUserByLogin(tx, input.target.login, channel.id, true);
        if (!found) throw errors.viewerNotFound(input.target.login);
        targetUser = found;
        source = 'claimed';
      }
      const walletId = await ensureViewer(tx, channel, targetUser, source);
      const { mint } = await getSystemAccounts(tx, channel.id);
      if (input.direction === 'give') {
        const [row] = (await tx.execute(sql`SELECT balance FROM accounts WHERE id = ${walletId} FOR UPDATE`)).rows as { balance: number }[];
        if (Number(row?.balance ?? 0) + input.amount > MAX_WALLET_BALANCE) throw errors.balanceLimit(MAX_WALLET_BALANCE);
      }
      if (input.direction === 'take') {
        const [row] = (await tx.execute(sql`SELECT balance FROM accounts WHERE id = ${walletId} FOR UPDATE`)).rows as {
          balance: number;
        }[];
        if (!row || row.balance < input.amount) throw errors.insufficientFunds(Number(row?.balance ?? 0), input.amount);
      }
      const [from, to] = input.direction === 'give' ? [mint, walletId] : [walletId, mint];
      await applyTransfers(tx, channel.id, [
        {
          from,
          to,
          amount: input.amount,
          kind: input.direction === 'give' ? 'grant' : 'take',
          actor: actorLabel(actor),
          idempotencyKey: idempotency?.key ?? null,
        },
      ]);
      const viewer = await viewerRow(tx, channel.id, targetUser.userId);
      const { hasWallet: _ignored, ...dto } = viewer!;
      await recordActivity(tx, actor, {
        channelId: channel.id,
        action: input.direction === 'give' ? 'points.given' : 'points.taken',
        subject: { userId: dto.userId, login: dto.login, displayName: dto.displayName },
        amount: input.amount,
        reason,
      });
      return dto;
    });
    return { viewer: value, replayed };
  }

  return { byUserId, byLogin, history, leaderboard, adjust };
}

export type ViewerService = ReturnType<typeof createViewerService>;
