/**
 * The naive pledge path the benchmark measures the micro-batcher against: one transaction per
 * pledge that share-locks the mission, writes the pledge with the hot-row escrow update, re-reads
 * the mission totals and publishes one event. Built on the services' own pieces, so it applies
 * the same pledge rules; nothing but the benchmark uses it.
 */
import type { Actor, ChatUser } from '../server/domain/actor.js';
import { errors } from '../server/domain/errors.js';
import type { AmountInput } from '../server/domain/pledge-rules.js';
import type { EventBus } from '../server/events/types.js';
import { findUsers } from '../server/repositories/channels-repository.js';
import { findMission } from '../server/repositories/missions-repository.js';
import { publishSafely } from '../server/services/context.js';
import { missionDto, toPledgeDto } from '../server/services/mission-views.js';
import { writeSinglePledge } from '../server/services/single-pledge.js';
import { withRetry } from '../server/services/transaction.js';
import { silentLogger } from '../tests/support/world.js';
import type { BenchWorld } from './support.js';

export async function pledgeDirect(
  world: Pick<BenchWorld, 'database' | 'channel'>,
  bus: EventBus,
  input: { number: number; amount: AmountInput; user: ChatUser },
  actor: Actor,
): Promise<void> {
  const { channel } = world;
  const value = await withRetry(world.database.db, async (tx) => {
    // A share lock: many pledges proceed together, but a verdict (FOR UPDATE) waits for them.
    const mission = await findMission(tx, channel.id, input.number, 'share');
    if (!mission) throw errors.missionNotFound(input.number);
    if (mission.status !== 'open') throw errors.missionNotOpen(input.number, mission.status);
    const result = await writeSinglePledge(tx, channel, mission, input.user, input.amount, actor, null);
    const dto = await missionDto(tx, mission, channel.settings);
    const users = await findUsers(tx, [input.user.userId]);
    return { pledge: toPledgeDto(result.pledge, mission.number, users.get(input.user.userId)), mission: dto, firstPledge: result.firstPledge };
  });
  publishSafely({ bus, logger: silentLogger }, [
    {
      type: 'pledge',
      channel: channel.login,
      at: value.pledge.createdAt,
      missionNumber: value.mission.number,
      count: 1,
      amount: value.pledge.amount,
      newBackers: value.firstPledge ? 1 : 0,
      pot: value.mission.pot,
      backers: value.mission.backers,
      newestBacker: value.pledge.viewer,
    },
  ]);
}
