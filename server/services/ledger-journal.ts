/**
 * A channel's ledger journal, one page at a time, for the REST journal route: transport reads
 * the ledger through a service, never through the repository.
 */
import type { Executor } from '../../db/client.js';
import { errors } from '../domain/errors.js';
import { findMission } from '../repositories/missions-repository.js';
import { journalPage as readJournalPage, missionJournalPage } from '../repositories/ledger-repository.js';

/**
 * Transfers of the channel with an id above `after`, oldest first, at most `limit` rows; with
 * `missionNumber`, only that mission's (MISSION_NOT_FOUND when the channel has no such mission).
 */
export async function journalPage(
  db: Executor,
  channelId: number,
  after: number,
  limit: number,
  missionNumber?: number,
): Promise<Record<string, unknown>[]> {
  if (missionNumber === undefined) return readJournalPage(db, channelId, after, limit);
  const mission = await findMission(db, channelId, missionNumber);
  if (!mission) throw errors.missionNotFound(missionNumber);
  return missionJournalPage(db, channelId, mission.id, after, limit);
}
