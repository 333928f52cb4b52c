/**
 * Channel-point top-ups: the "Mission points" custom reward, and its redemptions credited to the
 * viewer's wallet exactly once per redemption id (the `redemptions` primary key enforces it),
 * then marked FULFILLED on Twitch; a redemption that cannot be credited is marked CANCELED so
 * Twitch refunds the channel points.
 */
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { findChannelById } from '../repositories/channels-repository.js';
import { getSystemAccounts } from '../ledger/accounts.js';
import { applyTransfers } from '../ledger/transfers.js';
import { toChannel } from '../services/channels.js';
import { withRetry } from '../services/transaction.js';
import { ensureViewer } from '../services/viewers.js';
import { safeError } from './redact.js';

export const REWARD_TITLE = 'Mission points';
export const DEFAULT_REWARD = { cost: 1000, points: 100 };

/** What the handler needs from an EventSub `channel.channel_points_custom_reward_redemption.add` event. */
export interface RedemptionEvent {
  id: string;
  broadcasterId: string;
  rewardId: string;
  userId: string;
  userLogin: string;
  userDisplayName: string;
  /** Only `unfulfilled` redemptions are ours to settle. */
  status: string;
}

export type RedemptionOutcome = 'credited' | 'duplicate' | 'ignored' | 'canceled';
export type RedemptionStatusUpdate = (broadcasterId: string, rewardId: string, redemptionId: string, status: 'FULFILLED' | 'CANCELED') => Promise<void>;

export interface RedemptionDeps {
  db: Database;
  logger: Logger;
  updateStatus: RedemptionStatusUpdate;
}

async function rewardFor(db: Database, broadcasterId: string, rewardId: string) {
  const result = await db.execute(sql`
    SELECT c.id AS channel_id, r.points FROM channels c JOIN twitch_rewards r ON r.channel_id = c.id
    WHERE c.broadcaster_id = ${broadcasterId} AND r.reward_id = ${rewardId}`);
  const row = result.rows[0] as { channel_id: number; points: number } | undefined;
  return row ? { channelId: Number(row.channel_id), points: Number(row.points) } : null;
}

export function createRedemptionHandler(deps: RedemptionDeps) {
  const log = deps.logger.child({ component: 'redemptions' });

  async function setStatus(id: string, status: 'fulfilled' | 'canceled'): Promise<void> {
    await deps.db.execute(sql`UPDATE redemptions SET status = ${status}, updated_at = now() WHERE redemption_id = ${id}`);
  }

  async function fulfil(event: RedemptionEvent): Promise<void> {
    try {
      await deps.updateStatus(event.broadcasterId, event.rewardId, event.id, 'FULFILLED');
      await setStatus(event.id, 'fulfilled');
    } catch (err) {
      // The wallet is credited; cancelling now would refund the channel points too. The next
      // reconciliation (it reads UNFULFILLED redemptions back) retries.
      log.warn({ redemption: event.id, err: safeError(err) }, 'redemption credited but not marked fulfilled on Twitch');
    }
  }

  async function handle(event: RedemptionEvent): Promise<RedemptionOutcome> {
    if (event.status !== 'unfulfilled') return 'ignored';
    const reward = await rewardFor(deps.db, event.broadcasterId, event.rewardId);
    if (!reward) return 'ignored';
    let inserted: boolean;
    try {
      inserted = await withRetry(deps.db, async (tx) => {
        const claim = await tx.execute(sql`
          INSERT INTO redemptions (redemption_id, channel_id, user_id, reward_id, points, status)
          VALUES (${event.id}, ${reward.channelId}, ${event.userId}, ${event.rewardId}, ${reward.points}, 'credited')
          ON CONFLICT (redemption_id) DO NOTHING RETURNING redemption_id`);
        if (claim.rows.length === 0) return false;
        const row = await findChannelById(tx, reward.channelId);
        if (!row) throw new Error(`channel ${reward.channelId} vanished`);
        const channel = toChannel(row);
        const wallet = await ensureViewer(tx, channel, { userId: event.userId, login: event.userLogin, displayName: event.userDisplayName });
        const { mint } = await getSystemAccounts(tx, channel.id);
        await applyTransfers(tx, channel.id, [
          { from: mint, to: wallet, amount: reward.points, kind: 'redemption', actor: 'twitch', idempotencyKey: event.id },
        ]);
        return true;
      });
    } catch (err) {
      log.error({ redemption: event.id, err: safeError(err) }, 'redemption could not be credited; cancelling it');
      // Recorded as canceled first, so a redelivery of the same event cannot credit after the refund.
      await deps.db.execute(sql`
        INSERT INTO redemptions (redemption_id, channel_id, user_id, reward_id, points, status)
        VALUES (${event.id}, ${reward.channelId}, ${event.userId}, ${event.rewardId}, ${reward.points}, 'canceled')
        ON CONFLICT (redemption_id) DO NOTHING`);
      await deps.updateStatus(event.broadcasterId, event.rewardId, event.id, 'CANCELED').catch((e: unknown) =>
        log.error({ redemption: event.id, err: safeError(e) }, 'marking the redemption CANCELED failed'),
      );
      return 'canceled';
    }
    if (!inserted) {
      const existing = await deps.db.execute(sql`SELECT status FROM redemptions WHERE redemption_id = ${event.id}`);
      if ((existing.rows[0] as { status: string } | undefined)?.status === 'credited') await fulfil(event);
      return 'duplicate';
    }
    await fulfil(event);
    log.info({ redemption: event.id, channelId: reward.channelId, points: reward.points }, 'channel-point redemption credited');
    return 'credited';
  }

  return { handle };
}

export type RedemptionHandler = ReturnType<typeof createRedemptionHandler>;
