/** SQL for missions and pledges. Functions take a transaction or the database (`tx ?? db`). */
import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { missions, pledges, users, type MissionRow } from '../../db/schema.js';
import type { MissionStatus } from '../domain/mission-status.js';
import { arrayParam } from '../../db/array-param.js';

export const ACTIVE_STATUSES: MissionStatus[] = ['pending', 'open', 'closed'];

export async function nextMissionNumber(tx: Executor, channelId: number): Promise<number> {
  const result = await tx.execute(sql`
    UPDATE channels SET next_mission_number = next_mission_number + 1
    WHERE id = ${channelId} RETURNING next_mission_number - 1 AS number`);
  return Number((result.rows[0] as { number: number }).number);
}

export async function insertMission(tx: Executor, values: typeof missions.$inferInsert): Promise<MissionRow> {
  const [row] = await tx.insert(missions).values(values).returning();
  return row!;
}

export async function findMission(
  tx: Executor,
  channelId: number,
  number: number,
  lock?: 'update' | 'share',
): Promise<MissionRow | null> {
  const query = tx.select().from(missions).where(and(eq(missions.channelId, channelId), eq(missions.number, number)));
  const [row] = lock === 'update' ? await query.for('update') : lock === 'share' ? await query.for('share') : await query;
  return row ?? null;
}

export async function findMissionById(tx: Executor, id: number, lock?: 'update'): Promise<MissionRow | null> {
  const query = tx.select().from(missions).where(eq(missions.id, id));
  const [row] = lock === 'update' ? await query.for('update') : await query;
  return row ?? null;
}

export async function updateMission(tx: Executor, id: number, values: Partial<typeof missions.$inferInsert>): Promise<MissionRow> {
  const [row] = await tx.update(missions).set(values).where(eq(missions.id, id)).returning();
  return row!;
}

export async function countActive(tx: Executor, channelId: number, proposerId?: string): Promise<number> {
  const conditions = [eq(missions.channelId, channelId), inArray(missions.status, ACTIVE_STATUSES)];
  if (proposerId !== undefined) conditions.push(eq(missions.proposerId, proposerId));
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(missions).where(and(...conditions));
  return row?.n ?? 0;
}

export async function lastProposalAt(tx: Executor, channelId: number, proposerId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ at: missions.createdAt })
    .from(missions)
    .where(and(eq(missions.channelId, channelId), eq(missions.proposerId, proposerId)))
    .orderBy(desc(missions.createdAt))
    .limit(1);
  return row?.at ?? null;
}

export interface MissionListQuery {
  channelId: number;
  statuses?: MissionStatus[];
  /** Proposed by one of these users (an empty list matches nothing). */
  proposerIds?: readonly string[];
  /** Resolved by one of these actor labels (`user:<id>`, see `actorLabel`; an empty list matches nothing). */
  resolvedBy?: readonly string[];
  /** Proposed at or after this time. */
  since?: Date;
  /** Proposed before this time. */
  until?: Date;
  /** Mission number to continue below (newest first). */
  before?: number;
  limit: number;
}

/**
 * A page of a channel's missions, newest (highest number) first. The walk goes down the
 * (channel, number) index and filters as it goes, so a page costs the rows it skips, never a sort
 * of the whole channel; the cursor is the last number shown.
 */
export async function listMissions(tx: Executor, q: MissionListQuery): Promise<MissionRow[]> {
  if (q.proposerIds?.length === 0 || q.resolvedBy?.length === 0) return [];
  const conditions = [eq(missions.channelId, q.channelId)];
  if (q.statuses && q.statuses.length > 0) conditions.push(inArray(missions.status, q.statuses));
  if (q.proposerIds) conditions.push(inArray(missions.proposerId, [...q.proposerIds]));
  if (q.resolvedBy) conditions.push(inArray(missions.resolvedBy, [...q.resolvedBy]));
  if (q.since) conditions.push(gte(missions.createdAt, q.since));
  if (q.until) conditions.push(lt(missions.createdAt, q.until));
  if (q.before !== undefined) conditions.push(lt(missions.number, q.before));
  return tx.select().from(missions).where(and(...conditions)).orderBy(desc(missions.number)).limit(q.limit);
}

export interface MissionStats {
  missionId: number;
  pot: number;
  backers: number;
  newestBackerId: string | null;
}

/** Pot (all pledges, settled or not: the amount at stake), distinct backers and newest backer, per mission. */
export async function missionStats(tx: Executor, missionIds: readonly number[]): Promise<Map<number, MissionStats>> {
  const stats = new Map<number, MissionStats>();
  if (missionIds.length === 0) return stats;
  const result = await tx.execute(sql`
    SELECT p.mission_id, sum(p.amount) AS pot, count(DISTINCT p.user_id) AS backers,
           (SELECT p2.user_id FROM pledges p2 WHERE p2.mission_id = p.mission_id ORDER BY p2.id DESC LIMIT 1) AS newest
    FROM pledges p WHERE p.mission_id = ANY(${arrayParam(missionIds)}::bigint[])
    GROUP BY p.mission_id`);
  for (const r of result.rows as { mission_id: number; pot: number; backers: number; newest: string | null }[]) {
    stats.set(Number(r.mission_id), {
      missionId: Number(r.mission_id),
      pot: Number(r.pot),
      backers: Number(r.backers),
      newestBackerId: r.newest,
    });
  }
  return stats;
}

export async function insertPledge(tx: Executor, values: typeof pledges.$inferInsert): Promise<typeof pledges.$inferSelect> {
  const [row] = await tx.insert(pledges).values(values).returning();
  return row!;
}

export async function hasPledged(tx: Executor, missionId: number, userId: string): Promise<boolean> {
  const result = await tx.execute(sql`SELECT 1 FROM pledges WHERE mission_id = ${missionId} AND user_id = ${userId} LIMIT 1`);
  return result.rows.length > 0;
}

export async function hasOtherPledgers(tx: Executor, missionId: number, userId: string): Promise<boolean> {
  const result = await tx.execute(sql`SELECT 1 FROM pledges WHERE mission_id = ${missionId} AND user_id <> ${userId} LIMIT 1`);
  return result.rows.length > 0;
}

export async function listPledges(tx: Executor, missionId: number, afterId: number | undefined, limit: number) {
  const conditions = [eq(pledges.missionId, missionId)];
  if (afterId !== undefined) conditions.push(sql`${pledges.id} > ${afterId}`);
  return tx
    .select({ pledge: pledges, user: users })
    .from(pledges)
    .innerJoin(users, eq(users.userId, pledges.userId))
    .where(and(...conditions))
    .orderBy(pledges.id)
    .limit(limit);
}

export async function countUnsettled(tx: Executor, missionId: number): Promise<number> {
  const result = await tx.execute(
    sql`SELECT count(*)::int AS n FROM pledges WHERE mission_id = ${missionId} AND settlement IS NULL`,
  );
  return Number((result.rows[0] as { n: number }).n);
}

/** Non-terminal missions (for start-up reconciliation of timers) and terminal ones not yet settled. */
export async function missionsNeedingAttention(tx: Executor) {
  const active = await tx.select().from(missions).where(inArray(missions.status, ACTIVE_STATUSES));
  const unsettled = await tx
    .select()
    .from(missions)
    .where(and(eq(missions.settled, false), inArray(missions.status, ['succeeded', 'failed', 'cancelled', 'rejected'])));
  return { active, unsettled };
}
