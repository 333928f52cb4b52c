/**
 * A channel's ledger journal, one page at a time, for the REST journal route: transport reads
 * the ledger through a service, never through the repository.
 */
import type { Executor } from '../../db/client.js';
import { journalPage as readJournalPage } from '../ledger/transfers.js';

/** Transfers of the channel with an id above `after`, oldest first, at most `limit` rows. */
export function journalPage(db: Executor, channelId: number, after: number, limit: number): Promise<Record<string, unknown>[]> {
  return readJournalPage(db, channelId, after, limit);
}
