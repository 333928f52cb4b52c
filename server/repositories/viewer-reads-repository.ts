/**
 * Read-only SQL behind the dashboard's viewer pages: the search over a channel's viewers and one
 * viewer's pledges. Nothing here writes; the tables belong to the channel, ledger and mission
 * repositories.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { arrayParam } from '../../db/array-param.js';

/** Which name a search result matched: its login (listed first), or only its display name. */
export type SearchPhase = 'login' | 'name';

/** Where a page of search results ends: the phase, the lower-cased name sorted on, the user id. */
export interface SearchPosition {
  phase: SearchPhase;
  key: string;
  userId: string;
}

export interface SearchRow {
  userId: string;
  login: string;
  displayName: string;
  balance: number;
  position: SearchPosition;
}

// The expressions of users_login_search_idx and users_display_name_search_idx (migration 0018),
// written exactly as indexed so the planner uses them for both the range and the order.
const LOGIN_KEY = sql`(lower(u.login) COLLATE "C")`;
const NAME_KEY = sql`(lower(u.display_name) COLLATE "C")`;
const USER_KEY = sql`(u.user_id COLLATE "C")`;

/**
 * `key` starts with the lower-cased `prefix`, as a range of the index (`ml_prefix_end`): a range
 * is estimated as one condition, where a LIKE is estimated twice (as its range and again as its
 * filter) and so looks rarer than it is, which made the planner sort every match of a short prefix.
 */
function startsWith(key: SQL, prefix: string): SQL {
  return sql`${key} >= lower(${prefix}) AND ${key} < ml_prefix_end(lower(${prefix}))`;
}

async function phaseRows(
  tx: Executor,
  channelId: number,
  phase: SearchPhase,
  prefix: string,
  after: SearchPosition | undefined,
  limit: number,
): Promise<SearchRow[]> {
  const key = phase === 'login' ? LOGIN_KEY : NAME_KEY;
  const conditions: SQL[] = [];
  if (prefix !== '') conditions.push(startsWith(key, prefix));
  // Display-name matches whose login matches too were listed in the login phase already; a display
  // name equal to the login but for case is one of those, and is left out of the name index.
  if (phase === 'name') conditions.push(sql`lower(u.display_name) <> lower(u.login)`, sql`NOT (${startsWith(LOGIN_KEY, prefix)})`);
  if (after) conditions.push(sql`(${key}, ${USER_KEY}) > (${after.key}, ${after.userId})`);
  const where = conditions.length === 0 ? sql`` : sql`WHERE ${sql.join(conditions, sql` AND `)}`;
  const result = await tx.execute(sql`
    SELECT u.user_id, u.login, u.display_name, w.balance, ${key} AS sort_key
    FROM users u
    JOIN accounts w ON w.channel_id = ${channelId} AND w.kind = 'wallet' AND w.user_id = u.user_id
    ${where}
    ORDER BY ${key}, ${USER_KEY}
    LIMIT ${limit}`);
  return (result.rows as Array<{ user_id: string; login: string; display_name: string; balance: number | string; sort_key: string }>).map((r) => ({
    userId: r.user_id,
    login: r.login,
    displayName: r.display_name,
    balance: Number(r.balance),
    position: { phase, key: r.sort_key, userId: r.user_id },
  }));
}

/**
 * Viewers of the channel whose login or display name starts with `prefix` (case-insensitive; an
 * empty prefix lists every viewer): login matches by login, then display-name-only matches by
 * display name, each continuing after `after`. Each phase walks its index in order and stops after
 * `limit` rows, so a page costs the same for 100 viewers as for 100,000.
 */
export async function searchChannelViewers(
  tx: Executor,
  channelId: number,
  query: { prefix: string; after?: SearchPosition; limit: number },
): Promise<SearchRow[]> {
  const { prefix, after, limit } = query;
  const rows = after?.phase === 'name' ? [] : await phaseRows(tx, channelId, 'login', prefix, after, limit);
  if (rows.length >= limit || prefix === '') return rows;
  const more = await phaseRows(tx, channelId, 'name', prefix, after?.phase === 'name' ? after : undefined, limit - rows.length);
  return [...rows, ...more];
}

/** Points each of these viewers has in unsettled pledges of the channel. */
export async function escrowByUser(tx: Executor, channelId: number, userIds: readonly string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const result = await tx.execute(sql`
    SELECT user_id, sum(amount) AS in_escrow FROM pledges
    WHERE channel_id = ${channelId} AND user_id = ANY(${arrayParam(userIds)}::text[]) AND settlement IS NULL
    GROUP BY user_id`);
  return new Map((result.rows as Array<{ user_id: string; in_escrow: number | string }>).map((r) => [r.user_id, Number(r.in_escrow)]));
}

export interface ViewerPledgeRow {
  id: number;
  amount: number;
  createdAt: Date;
  settlement: 'refunded' | 'paid' | null;
  mission: { number: number; text: string; status: string; settled: boolean };
}

/** One viewer's pledges in the channel, newest first, before pledge `before`, with their missions. */
export async function listViewerPledges(
  tx: Executor,
  channelId: number,
  userId: string,
  query: { before?: number; limit: number },
): Promise<ViewerPledgeRow[]> {
  const result = await tx.execute(sql`
    SELECT p.id, p.amount, p.created_at, p.settlement, m.number, m.text, m.status, m.settled
    FROM pledges p JOIN missions m ON m.id = p.mission_id
    WHERE p.channel_id = ${channelId} AND p.user_id = ${userId}
      ${query.before === undefined ? sql`` : sql`AND p.id < ${query.before}`}
    ORDER BY p.id DESC
    LIMIT ${query.limit}`);
  return (result.rows as Record<string, unknown>[]).map((r) => ({
    id: Number(r.id),
    amount: Number(r.amount),
    createdAt: new Date(r.created_at as string),
    settlement: (r.settlement as 'refunded' | 'paid' | null) ?? null,
    mission: { number: Number(r.number), text: String(r.text), status: String(r.status), settled: Boolean(r.settled) },
  }));
}
