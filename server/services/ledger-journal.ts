/**
 * A channel's ledger journal, one page at a time, for the REST journal route: transport reads
 * the ledger through a service, never through the repository.
 */
import type { Executor } from '../../db/client.js';
import { journalPage as readJournalPage, type JournalFilter } from '../repositories/ledger-repository.js';

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
