/**
 * The accountant's CSV exports: a channel's ledger journal, missions or pledges as CSV text,
 * produced page by page (keyset on id) so that memory stays flat however many rows there are.
 */
import type { Executor } from '../../db/client.js';
import { CSV_BOM, encodeRow, type CsvValue } from '../domain/csv.js';
import type { ExportRange } from '../domain/export-range.js';
import {
  ledgerExportPage,
  missionsExportPage,
  newestId,
  pledgesExportPage,
  type ExportPage,
  type ExportTable,
} from '../repositories/exports-repository.js';

export type ExportKind = 'ledger' | 'missions' | 'pledges';
export const EXPORT_KINDS: readonly ExportKind[] = ['ledger', 'missions', 'pledges'];

/** Rows per query: large enough that the round trips do not dominate, small enough to hold. */
export const EXPORT_PAGE_SIZE = 5_000;

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const time = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

interface Layout {
  table: ExportTable;
  header: readonly string[];
  read: (db: Executor, page: ExportPage) => Promise<Row[]>;
  cells: (row: Row) => CsvValue[];
}

const LAYOUTS: Record<ExportKind, Layout> = {
  ledger: {
    table: 'transfers',
    header: [
      'id', 'fromAccount', 'fromKind', 'fromUserId', 'fromMissionNumber',
      'toAccount', 'toKind', 'toUserId', 'toMissionNumber',
      'amount', 'kind', 'missionNumber', 'pledgeId', 'actor', 'createdAt',
    ],
    read: ledgerExportPage,
    cells: (r) => [
      num(r.id), num(r.from_id), text(r.from_kind), text(r.from_user), num(r.from_mission),
      num(r.to_id), text(r.to_kind), text(r.to_user), num(r.to_mission),
      num(r.amount), text(r.kind), num(r.mission_number), num(r.pledge_id), text(r.actor), time(r.created_at),
    ],
  },
  missions: {
    table: 'missions',
    header: ['number', 'text', 'status', 'pot', 'backers', 'proposer', 'createdAt', 'openedAt', 'deadline', 'resolvedAt', 'settled', 'reason'],
    read: missionsExportPage,
    cells: (r) => [
      num(r.number), text(r.text), text(r.status), num(r.pot), num(r.backers), text(r.proposer_login),
      time(r.created_at), time(r.opened_at), time(r.deadline), time(r.resolved_at), Boolean(r.settled), text(r.reason),
    ],
  },
  pledges: {
    table: 'pledges',
    header: ['id', 'missionNumber', 'viewer', 'amount', 'createdAt', 'settlement'],
    read: pledgesExportPage,
    cells: (r) => [num(r.id), num(r.mission_number), text(r.login), num(r.amount), time(r.created_at), text(r.settlement)],
  },
};

export interface ExportRequest {
  kind: ExportKind;
  channelId: number;
  range: ExportRange;
  pageSize?: number;
}

/**
 * Opens an export: reads where its snapshot ends, then returns the CSV file as a sequence of
 * chunks (the BOM and header, then one chunk per page). The snapshot's end is read before the
 * caller starts its reply, so a database that is down gets a proper error status rather than a
 * cut-off file. The next page is read only when the consumer asks for more, so a slow download
 * holds one page.
 */
export async function openExport(db: Executor, request: ExportRequest): Promise<AsyncGenerator<string>> {
  const layout = LAYOUTS[request.kind];
  const upTo = await newestId(db, layout.table, request.channelId);
  return pages(db, layout, request, upTo);
}

async function* pages(db: Executor, layout: Layout, request: ExportRequest, upTo: number): AsyncGenerator<string> {
  const limit = request.pageSize ?? EXPORT_PAGE_SIZE;
  yield CSV_BOM + encodeRow(layout.header);
  let after = 0;
  for (;;) {
    const rows = await layout.read(db, { channelId: request.channelId, after, upTo, limit, range: request.range });
    if (rows.length === 0) return;
    let chunk = '';
    for (const row of rows) chunk += encodeRow(layout.cells(row));
    yield chunk;
    if (rows.length < limit) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** `<channel>-<kind>-<YYYY-MM-DD>.csv`, the day the export was made. */
export function exportFilename(channel: string, kind: ExportKind, now: Date): string {
  return `${channel}-${kind}-${now.toISOString().slice(0, 10)}.csv`;
}
