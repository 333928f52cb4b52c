/**
 * SQL for the accountant's exports: one keyset page (rows with an id above `after`, at most
 * `upTo`, oldest first) per call, so an export of any size holds one page in memory at a time.
 * `upTo` is the newest id when the export started: rows written while it streams stay out, and
 * the file is the journal as it stood at one moment. Each query picks its page of ids first and
 * joins only those: joined before the limit, Postgres joins and sorts every remaining row of the
 * range for each page, and an export grows with the square of its size.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { ExportRange } from '../domain/export-range.js';

export type ExportTable = 'transfers' | 'missions' | 'pledges';

export interface ExportPage {
  channelId: number;
  after: number;
  upTo: number;
  limit: number;
  range: ExportRange;
}

type Row = Record<string, unknown>;

function rangeOf(column: SQL, range: ExportRange): SQL {
  return sql`${range.from ? sql` AND ${column} >= ${range.from.toISOString()}` : sql``}${range.to ? sql` AND ${column} < ${range.to.toISOString()}` : sql``}`;
}

/** The newest id of the table for this channel (0 when empty): the end of an export's snapshot. */
export async function newestId(db: Executor, table: ExportTable, channelId: number): Promise<number> {
  const result = await db.execute(sql`SELECT coalesce(max(id), 0) AS id FROM ${sql.identifier(table)} WHERE channel_id = ${channelId}`);
  return Number((result.rows[0] as { id: unknown }).id);
}

/** Journal rows with both accounts and the mission, as the ledger route shows them. */
export async function ledgerExportPage(db: Executor, page: ExportPage): Promise<Row[]> {
  const result = await db.execute(sql`
    SELECT t.id, t.amount, t.kind, t.pledge_id, t.actor, t.created_at, m.number AS mission_number,
           fa.id AS from_id, fa.kind AS from_kind, fa.user_id AS from_user, fm.number AS from_mission,
           ta.id AS to_id, ta.kind AS to_kind, ta.user_id AS to_user, tm.number AS to_mission
    FROM (
      SELECT * FROM transfers
      WHERE channel_id = ${page.channelId} AND id > ${page.after} AND id <= ${page.upTo}${rangeOf(sql`created_at`, page.range)}
      ORDER BY id LIMIT ${page.limit}
    ) t
    JOIN accounts fa ON fa.id = t.from_account LEFT JOIN missions fm ON fm.id = fa.mission_id
    JOIN accounts ta ON ta.id = t.to_account LEFT JOIN missions tm ON tm.id = ta.mission_id
    LEFT JOIN missions m ON m.id = t.mission_id
    ORDER BY t.id`);
  return result.rows as Row[];
}

/** Missions with their pot (every pledge, settled or not), distinct backers and proposer's login. */
export async function missionsExportPage(db: Executor, page: ExportPage): Promise<Row[]> {
  const result = await db.execute(sql`
    SELECT m.id, m.number, m.text, m.status, m.created_at, m.opened_at, m.deadline, m.resolved_at, m.settled, m.reason,
           u.login AS proposer_login,
           coalesce(p.pot, 0) AS pot, coalesce(p.backers, 0) AS backers
    FROM (
      SELECT * FROM missions
      WHERE channel_id = ${page.channelId} AND id > ${page.after} AND id <= ${page.upTo}${rangeOf(sql`created_at`, page.range)}
      ORDER BY id LIMIT ${page.limit}
    ) m
    JOIN users u ON u.user_id = m.proposer_id
    LEFT JOIN LATERAL (
      SELECT sum(amount) AS pot, count(DISTINCT user_id) AS backers FROM pledges WHERE mission_id = m.id
    ) p ON true
    ORDER BY m.id`);
  return result.rows as Row[];
}

/** Pledges with their mission's number and the viewer's login. */
export async function pledgesExportPage(db: Executor, page: ExportPage): Promise<Row[]> {
  const result = await db.execute(sql`
    SELECT p.id, m.number AS mission_number, u.login, p.amount, p.created_at, p.settlement
    FROM (
      SELECT * FROM pledges
      WHERE channel_id = ${page.channelId} AND id > ${page.after} AND id <= ${page.upTo}${rangeOf(sql`created_at`, page.range)}
      ORDER BY id LIMIT ${page.limit}
    ) p
    JOIN missions m ON m.id = p.mission_id
    JOIN users u ON u.user_id = p.user_id
    ORDER BY p.id`);
  return result.rows as Row[];
}
