/** Reading the audit trail from tests: what a request added to it, entry by entry. */
import { sql } from 'drizzle-orm';
import { call, type Harness } from './harness.js';

/** One `activity` row as the database holds it. */
export interface TrailRow {
  id: number;
  channel_id: number | null;
  action: string;
  source: string;
  actor_kind: string;
  actor_user_id: string | null;
  actor_login: string | null;
  actor_token_id: number | null;
  mission_number: number | null;
  subject_login: string | null;
  amount: number | null;
  reason: string | null;
  details: Record<string, unknown> | null;
}

export interface Trail {
  /** The newest entry's id (0 when the trail is empty): a mark to read from. */
  lastId(): Promise<number>;
  /** Every entry written after `mark`, oldest first. */
  since(mark: number): Promise<TrailRow[]>;
  /** Runs `request` and returns the status, the body and what it added to the trail. */
  recorded(request: Parameters<typeof call>[1]): Promise<{ status: number; body: any; rows: TrailRow[] }>;
}

export function trailOf(h: Harness): Trail {
  const db = () => h.runtime.db.db;
  const lastId = async () => ((await db().execute(sql`SELECT COALESCE(max(id), 0)::int AS id FROM activity`)).rows[0] as { id: number }).id;
  const since = async (mark: number) => (await db().execute(sql`SELECT * FROM activity WHERE id > ${mark} ORDER BY id`)).rows as unknown as TrailRow[];
  return {
    lastId,
    since,
    async recorded(request) {
      const mark = await lastId();
      const res = await call(h, request);
      return { ...res, rows: await since(mark) };
    },
  };
}
