/** SQL for the dashboard board: top backers per mission, recent verdicts, who pledged where. */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import type { ViewerRef } from '../domain/types.js';
import { arrayParam } from '../../db/array-param.js';

export interface TopBacker {
  viewer: ViewerRef;
  /** Points this viewer pledged to the mission, all pledges together. */
  amount: number;
}

/** The `limit` biggest backers of each mission (ties: who pledged first). */
export async function topBackers(tx: Executor, missionIds: readonly number[], limit: number): Promise<Map<number, TopBacker[]>> {
  const out = new Map<number, TopBacker[]>();
  if (missionIds.length === 0) return out;
  const result = await tx.execute(sql`
    SELECT t.mission_id, t.user_id, t.amount, u.login, u.display_name
    FROM (
      SELECT p.mission_id, p.user_id, sum(p.amount) AS amount,
             row_number() OVER (PARTITION BY p.mission_id ORDER BY sum(p.amount) DESC, min(p.id)) AS rank
      FROM pledges p WHERE p.mission_id = ANY(${arrayParam(missionIds)}::bigint[])
      GROUP BY p.mission_id, p.user_id
    ) t LEFT JOIN users u ON u.user_id = t.user_id
    WHERE t.rank <= ${limit}
    ORDER BY t.mission_id, t.rank`);
  for (const r of result.rows as { mission_id: number; user_id: string; amount: number; login: string | null; display_name: string | null }[]) {
    const id = Number(r.mission_id);
    const list = out.get(id) ?? [];
    list.push({ viewer: { userId: r.user_id, login: r.login ?? r.user_id, displayName: r.display_name ?? r.user_id }, amount: Number(r.amount) });
    out.set(id, list);
  }
  return out;
}

/** The channel's last `limit` missions to reach a verdict, newest first. */
export async function recentlyResolved(tx: Executor, channelId: number, limit: number): Promise<MissionRow[]> {
  const result = await tx.execute(sql`
    SELECT id FROM missions
    WHERE channel_id = ${channelId} AND status IN ('succeeded', 'failed', 'cancelled', 'rejected')
    ORDER BY resolved_at DESC NULLS LAST, id DESC LIMIT ${limit}`);
  return missionRowsByIds(tx, (result.rows as { id: number }[]).map((r) => Number(r.id)));
}

async function missionRowsByIds(tx: Executor, ids: number[]): Promise<MissionRow[]> {
  if (ids.length === 0) return [];
  const rows = await tx.query.missions.findMany({ where: (m, { inArray }) => inArray(m.id, ids) });
  const order = new Map(ids.map((id, i) => [id, i]));
  return rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** Of these missions, the ones `userId` has pledged to, with the points pledged. */
export async function missionsPledgedBy(tx: Executor, missionIds: readonly number[], userId: string): Promise<Map<number, number>> {
  if (missionIds.length === 0) return new Map();
  const result = await tx.execute(sql`
    SELECT mission_id, sum(amount) AS amount FROM pledges
    WHERE mission_id = ANY(${arrayParam(missionIds)}::bigint[]) AND user_id = ${userId}
    GROUP BY mission_id`);
  return new Map((result.rows as { mission_id: number; amount: number }[]).map((r) => [Number(r.mission_id), Number(r.amount)]));
}

export interface ViewerPledgeRow {
  id: number;
  missionNumber: number;
  amount: number;
  createdAt: Date;
  settlement: 'refunded' | 'paid' | null;
}

/** The last `limit` pledges of one viewer in one channel, newest first (index pledges_user_idx). */
export async function pledgesOfViewer(tx: Executor, channelId: number, userId: string, limit: number): Promise<ViewerPledgeRow[]> {
  const result = await tx.execute(sql`
    SELECT p.id, m.number, p.amount, p.created_at, p.settlement
    FROM pledges p JOIN missions m ON m.id = p.mission_id
    WHERE p.channel_id = ${channelId} AND p.user_id = ${userId}
    ORDER BY p.id DESC LIMIT ${limit}`);
  return (result.rows as { id: number; number: number; amount: number; created_at: Date | string; settlement: 'refunded' | 'paid' | null }[]).map((r) => ({
    id: Number(r.id),
    missionNumber: Number(r.number),
    amount: Number(r.amount),
    createdAt: new Date(r.created_at),
    settlement: r.settlement,
  }));
}
