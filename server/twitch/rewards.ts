/** Keeps each connected channel's "Mission points" reward in sync with Twitch. */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import type { TwitchIntegration } from './integration.js';
import { DEFAULT_REWARD, REWARD_TITLE, type RedemptionStatusUpdate } from './redemptions.js';
import { recordSetupStep, rewardProblem, rewardStepKey } from './setup-status.js';

/** Twitch would not create the reward; `message` says why in the streamer's terms. */
export class RewardSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RewardSetupError';
  }
}

/**
 * Creates the reward when missing (or deleted on Twitch), corrects its cost and prompt, and
 * stores its id. The outcome is remembered for the set-up checklist; a refusal throws a
 * {@link RewardSetupError} that names the cause (not an Affiliate, a reward of that title).
 */
export async function ensureReward(db: Database, twitch: TwitchIntegration, channelId: number, broadcasterId: string): Promise<string> {
  try {
    const rewardId = await syncReward(db, twitch, channelId, broadcasterId);
    await recordSetupStep(db, rewardStepKey(channelId), { ok: true, channelId });
    return rewardId;
  } catch (err) {
    const problem = rewardProblem(err);
    await recordSetupStep(db, rewardStepKey(channelId), { ok: false, detail: problem, channelId }).catch(() => undefined);
    throw new RewardSetupError(problem, { cause: err });
  }
}

async function syncReward(db: Database, twitch: TwitchIntegration, channelId: number, broadcasterId: string): Promise<string> {
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
