/**
 * A channel's ledger journal, one page at a time, for the REST journal route: transport reads
 * the ledger through a service, never through the repository.
 */
import type { Executor } from '../../db/client.js';
import { errors } from '../domain/errors.js';
import { escrowOf } from '../ledger/accounts.js';
import { journalPage as readJournalPage, type JournalFilter } from '../ledger/transfers.js';
import { findMission } from '../repositories/missions-repository.js';

/** Transfers of the channel with an id above `after`, oldest first, at most `limit` rows, narrowed by `filter`. */
export function journalPage(
  db: Executor,
  channelId: number,
  after: number,
  limit: number,
  filter: JournalFilter = {},
): Promise<Record<string, unknown>[]> {
  return readJournalPage(db, channelId, after, limit, filter);
}

/**
 * The escrow account of mission `number`, for the journal's mission filter: every transfer of a
 * mission (its pledges, refunds and payouts) moves points into or out of its escrow.
 */
export async function missionEscrowId(db: Executor, channelId: number, number: number): Promise<number> {
  const mission = await findMission(db, channelId, number);
  if (!mission) throw errors.missionNotFound(number);
  return Number((await escrowOf(db, mission.id)).id);
}
