/**
 * SQL for the audit trail, the only code that touches the `activity` table. Rows are only ever
 * inserted (the database refuses anything else) and read newest first.
 */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { activity, type ActivityRow } from '../../db/schema.js';
import type { ActivityAction, ActivitySource } from '../domain/activity.js';

export type { ActivityRow } from '../../db/schema.js';
export type NewActivityRow = typeof activity.$inferInsert & { action: ActivityAction; source: ActivitySource };

/** Appends entries in one statement, in the caller's transaction. */
export async function insertActivity(tx: Executor, rows: readonly NewActivityRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(activity).values([...rows]);
}

export interface ActivityFilter {
  channelId: number;
  action?: ActivityAction;
  source?: ActivitySource;
  actorLogin?: string;
  missionNumber?: number;
  since?: Date;
  until?: Date;
  /** Only entries older than this id (the cursor of the previous page). */
  beforeId?: number;
  limit: number;
}

/**
 * One channel's entries, newest first by id. Ids only grow, so a page that starts below the last
 * id seen never repeats or skips an entry because others were added meanwhile.
 */
export async function listActivity(tx: Executor, filter: ActivityFilter): Promise<ActivityRow[]> {
  const where: SQL[] = [eq(activity.channelId, filter.channelId)];
  if (filter.action !== undefined) where.push(eq(activity.action, filter.action));
  if (filter.source !== undefined) where.push(eq(activity.source, filter.source));
  if (filter.actorLogin !== undefined) where.push(eq(activity.actorLogin, filter.actorLogin));
  if (filter.missionNumber !== undefined) where.push(eq(activity.missionNumber, filter.missionNumber));
  if (filter.since !== undefined) where.push(gte(activity.at, filter.since));
  if (filter.until !== undefined) where.push(lt(activity.at, filter.until));
  if (filter.beforeId !== undefined) where.push(lt(activity.id, filter.beforeId));
  return tx
    .select()
    .from(activity)
    .where(and(...where))
    .orderBy(desc(activity.id))
    .limit(filter.limit);
}
