/** Keeps each connected channel's "Mission points" reward in sync, and listens for its redemptions over EventSub WebSocket. */
import { sql } from 'drizzle-orm';
import { EventSubWsListener } from '@twurple/eventsub-ws';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { TwitchIntegration } from './integration.js';
import { safeError } from './redact.js';
import { DEFAULT_REWARD, REWARD_TITLE, type RedemptionHandler, type RedemptionStatusUpdate } from './redemptions.js';

/** Creates the reward when missing (or deleted on Twitch), corrects its cost and prompt, and stores its id. */
export async function ensureReward(db: Database, twitch: TwitchIntegration, channelId: number, broadcasterId: string): Promise<string> {
  const stored = (await db.execute(sql`SELECT reward_id, cost, points FROM twitch_rewards WHERE channel_id = ${channelId}`)).rows[0] as
    | { reward_id: string; cost: number; points: number }
    | undefined;
  const cost = stored?.cost ?? DEFAULT_REWARD.cost;
  const points = stored?.points ?? DEFAULT_REWARD.points;
  const prompt = `Adds ${points} mission points to your wallet`;
  const rewards = await twitch.api.channelPoints.getCustomRewards(broadcasterId, true);
  let reward = rewards.find((r) => r.id === stored?.reward_id) ?? rewards.find((r) => r.title === REWARD_TITLE);
  if (!reward) {
    reward = await twitch.api.channelPoints.createCustomReward(broadcasterId, { title: REWARD_TITLE, cost, prompt });
  } else if (reward.cost !== cost || reward.prompt !== prompt || reward.title !== REWARD_TITLE) {
    reward = await twitch.api.channelPoints.updateCustomReward(broadcasterId, reward.id, { title: REWARD_TITLE, cost, prompt });
  }
  await db.execute(sql`
    INSERT INTO twitch_rewards (channel_id, reward_id, cost, points) VALUES (${channelId}, ${reward.id}, ${cost}, ${points})
    ON CONFLICT (channel_id) DO UPDATE SET reward_id = excluded.reward_id, updated_at = now()`);
  return reward.id;
}

export function helixStatusUpdate(twitch: TwitchIntegration): RedemptionStatusUpdate {
  return async (broadcasterId, rewardId, redemptionId, status) => {
    await twitch.api.channelPoints.updateRedemptionStatusByIds(broadcasterId, rewardId, [redemptionId], status);
  };
}

/**
 * Subscribes to the reward's redemptions for every channel with a broadcaster token, syncing the
 * reward first. EventSub delivers at least once; the handler makes that exactly once.
 */
export async function startRedemptionListener(deps: {
  db: Database;
  twitch: TwitchIntegration;
  handler: RedemptionHandler;
  logger: Logger;
}): Promise<{ channels: number; stop(): Promise<void> }> {
  const log = deps.logger.child({ component: 'eventsub' });
  const listener = new EventSubWsListener({ apiClient: deps.twitch.api });
  const rows = (await deps.db.execute(sql`SELECT id, broadcaster_id FROM channels WHERE broadcaster_id IS NOT NULL`)).rows as {
    id: number;
    broadcaster_id: string;
  }[];
  let subscribed = 0;
  for (const row of rows) {
    if (!deps.twitch.hasBroadcasterToken(row.broadcaster_id)) continue;
    try {
      const rewardId = await ensureReward(deps.db, deps.twitch, row.id, row.broadcaster_id);
      listener.onChannelRedemptionAddForReward(row.broadcaster_id, rewardId, (event) => {
        deps.handler
          .handle({
            id: event.id,
            broadcasterId: event.broadcasterId,
            rewardId: event.rewardId,
            userId: event.userId,
            userLogin: event.userName,
            userDisplayName: event.userDisplayName,
            status: event.status,
          })
          .catch((err: unknown) => log.error({ redemption: event.id, err: safeError(err) }, 'redemption handling failed'));
      });
      subscribed++;
    } catch (err) {
      log.warn({ channelId: row.id, err: safeError(err) }, 'channel-point reward not set up');
    }
  }
  if (subscribed > 0) listener.start();
  return {
    channels: subscribed,
    async stop() {
      if (subscribed > 0) listener.stop();
    },
  };
}
