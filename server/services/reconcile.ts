/** Start-up reconciliation of the mission timers and settlements with the missions' states. */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { resolveSettings } from '../domain/settings.js';
import type { MissionScheduler } from '../ports/scheduler.js';
import { findChannelById } from '../repositories/channels-repository.js';
import { missionsNeedingAttention } from '../repositories/missions-repository.js';

/**
 * Start-up reconciliation: every active mission has its timer, every terminal mission that is
 * not fully settled gets a settlement job. Safe to run any number of times.
 */
export async function reconcileMissions(db: Database, scheduler: MissionScheduler, logger: Logger): Promise<{ timers: number; settlements: number }> {
  const { active, unsettled } = await missionsNeedingAttention(db);
  const settingsCache = new Map<number, ReturnType<typeof resolveSettings>>();
  const settingsOf = async (channelId: number) => {
    if (!settingsCache.has(channelId)) settingsCache.set(channelId, resolveSettings((await findChannelById(db, channelId))?.settings));
    return settingsCache.get(channelId)!;
  };
  for (const m of active) {
    const s = await settingsOf(m.channelId);
    if (m.status === 'pending') await scheduler.schedule('pending', m.id, new Date(m.createdAt.getTime() + s.pendingTimeout * 1000));
    else if (m.status === 'open' && m.deadline) await scheduler.schedule('deadline', m.id, m.deadline);
    else if (m.status === 'closed' && m.closedAt) {
      await scheduler.schedule('grace', m.id, new Date(m.closedAt.getTime() + s.verdictGrace * 1000));
    }
  }
  for (const m of unsettled) await scheduler.enqueueSettlement(m.id);
  if (active.length + unsettled.length > 0) {
    logger.info({ timers: active.length, settlements: unsettled.length }, 'reconciled missions');
  }
  return { timers: active.length, settlements: unsettled.length };
}
