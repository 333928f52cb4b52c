/**
 * Set-based SQL for micro-batched pledges: each function handles a whole batch in one statement
 * (the batch's wallets, journal rows and balances are written by server/ledger/pledge-batch.ts),
 * so a batch of 500 pledges costs a handful of round trips, not 500 transactions.
 *
 * Lookups are shaped so the plan does not depend on table statistics: a table that grew by 100,000
 * rows in a minute may not be analyzed yet (and is never, where autovacuum is off), and with stale
 * statistics `user_id = ANY($500_ids)` was planned as a scan of the whole channel: 5-10 ms per
 * statement, growing with the channel. Here each key drives one index probe (`unnest` → `LATERAL
 * … LIMIT 1`, the LIMIT keeps the subquery from being flattened into a hash join), and updates
 * carry `id = ANY(…)` so the table side is a primary-key lookup.
 */
import { sql } from 'drizzle-orm';
import { tableRow, type SqlRow as Row, type SqlRunner } from '../../db/pipeline.js';
import { missions, type MissionRow } from '../../db/schema.js';
import { arrayParam } from '../../db/array-param.js';

/** Share-locks the channel's missions with these numbers (a verdict's FOR UPDATE waits for the batch). */
export async function lockMissionsShared(tx: SqlRunner, channelId: number, numbers: readonly number[]): Promise<Map<number, MissionRow>> {
  const wanted = [...new Set(numbers)].sort((a, b) => a - b);
  const result = await tx.execute(sql`
    SELECT * FROM missions WHERE channel_id = ${channelId} AND number = ANY(${arrayParam(wanted)}::int[])
    ORDER BY id FOR SHARE`);
  return new Map(result.rows.map((r) => tableRow(missions, r)).map((m) => [m.number, m]));
}

export interface KeyedPledge {
  id: number;
  userId: string;
  missionId: number;
  missionNumber: number;
  amount: number;
  createdAt: Date;
  key: string;
}

/** Pledges already committed under any of these idempotency keys (replays). */
export async function pledgesByKeys(tx: SqlRunner, channelId: number, keys: readonly string[]): Promise<Map<string, KeyedPledge>> {
  const found = new Map<string, KeyedPledge>();
  if (keys.length === 0) return found;
  const result = await tx.execute(sql`
    SELECT p.id, p.user_id, p.mission_id, m.number, p.amount, p.created_at, p.idempotency_key
    FROM unnest(${arrayParam(keys)}::text[]) AS k(key)
    CROSS JOIN LATERAL (
      SELECT id, user_id, mission_id, amount, created_at, idempotency_key FROM pledges
      WHERE channel_id = ${channelId} AND idempotency_key = k.key LIMIT 1) p
    JOIN missions m ON m.id = p.mission_id`);
  for (const r of result.rows as Row[]) {
    found.set(String(r.idempotency_key), {
      id: Number(r.id),
      userId: String(r.user_id),
      missionId: Number(r.mission_id),
      missionNumber: Number(r.number),
      amount: Number(r.amount),
      createdAt: new Date(r.created_at as string),
      key: String(r.idempotency_key),
    });
  }
  return found;
}

/** Distinct backers of one mission (exact; read once per mission, then kept up to date by the batcher). */
export async function countBackers(tx: SqlRunner, missionId: number): Promise<number> {
  const result = await tx.execute(sql`SELECT count(DISTINCT user_id)::int AS n FROM pledges WHERE mission_id = ${missionId}`);
  return Number((result.rows[0] as Row).n);
}
