/**
 * The pledge batch's write: its pledges, their journal rows and the balances they move, set-based
 * in two statements (see `writePledgeBatch`). The pledges are written here, beside their journal
 * rows, because one statement inserts both: splitting it would cost the batch a round trip.
 */
import { sql } from 'drizzle-orm';
import { arrayParam } from '../../db/array-param.js';
import { sendNow, type SqlRunner } from '../../db/pipeline.js';
import { applyDeltas } from './transfers.js';
import type { LeadingTransfer } from './wallets.js';

export type { LeadingTransfer } from './wallets.js';

export interface NewPledge {
  missionId: number;
  userId: string;
  amount: number;
  idempotencyKey: string | null;
  /** Debited wallet and credited escrow: the pledge's journal row. */
  walletId: number;
  escrowId: number;
  actor: string;
}

/**
 * Writes a decided batch in two statements. The first inserts its pledges and their journal rows
 * and moves the balances of the rows this transaction already holds (`locked`: the batch's
 * wallets, and wallets it created); pledge ids are drawn inside it in input order, and `leading`
 * rows (starting balances) get lower journal ids than the pledges they fund. The references of
 * pledges and journal rows are checked at the end of the statement (triggers pledges_references
 * and transfers_references, migration 0008), when every insert is visible.
 *
 * The second moves the shared rows (mint, escrows): every batch of a mission or channel updates
 * them, so they are locked only for that small update and the commit, and two writers run their
 * inserts side by side. With the update folded into the insert statement, a second writer queued
 * for the escrow through the whole statement: the writers ran one at a time. When several shared
 * rows are moved they are locked first in id order, so two batches cannot deadlock on them.
 *
 * Both statements check themselves (`ml_check`), so the caller can send COMMIT behind them: by
 * the time this returns, both are sent (not async on purpose: whatever fails before sending
 * throws here, before the caller gets to its COMMIT).
 *
 * Returns, in input order, the pledge ids and whether the viewer had already backed the mission
 * before this statement (its snapshot is taken after the wallet lock, so it sees every pledge a
 * concurrent batch of the same viewer committed); the shared rows' new balances; `created_at`.
 */
export function writePledgeBatch(
  tx: SqlRunner,
  channelId: number,
  batch: {
    pledges: readonly NewPledge[];
    leading: readonly LeadingTransfer[];
    deltas: ReadonlyMap<number, number>;
    locked: ReadonlySet<number>;
  },
): Promise<{ ids: number[]; backedBefore: boolean[]; balances: Map<number, number>; createdAt: Date }> {
  const { pledges: rows, leading } = batch;
  const moves = [...batch.deltas].filter(([, d]) => d !== 0).sort(([a], [b]) => a - b);
  const own = moves.filter(([id]) => batch.locked.has(id));
  const shared = moves.filter(([id]) => !batch.locked.has(id));
  const col = <T>(pick: (r: NewPledge) => T) => arrayParam(rows.map(pick));
  const lead = <T>(pick: (r: LeadingTransfer) => T) => arrayParam(leading.map(pick));
  const ownIds = arrayParam(own.map(([id]) => id));
  const written = sendNow(tx, sql`
    WITH input AS MATERIALIZED (
      -- The sequence as a regclass constant: pg_get_serial_sequence() here ran a catalog lookup
      -- per row (4 % of Postgres's CPU in the storm).
      SELECT nextval('pledges_id_seq'::regclass) AS id, t.*, b.hit IS NOT NULL AS backed
      FROM unnest(${col((r) => r.missionId)}::bigint[], ${col((r) => r.userId)}::text[], ${col((r) => r.amount)}::bigint[],
                  ${col((r) => r.idempotencyKey)}::text[], ${col((r) => r.walletId)}::bigint[], ${col((r) => r.escrowId)}::bigint[],
                  ${col((r) => r.actor)}::text[])
        WITH ORDINALITY AS t(mission_id, user_id, amount, key, wallet, escrow, actor, ord)
      -- One index probe per pledge (an EXISTS here was planned as a hashed scan of every pledge
      -- in the channel: 16 ms per batch at 60,000 pledges, growing with the channel).
      LEFT JOIN LATERAL (
        SELECT 1 AS hit FROM pledges p
        WHERE p.channel_id = ${channelId} AND p.user_id = t.user_id AND p.mission_id = t.mission_id LIMIT 1) b ON true
    ), inserted AS (
      INSERT INTO pledges (id, channel_id, mission_id, user_id, amount, idempotency_key)
      SELECT id, ${channelId}, mission_id, user_id, amount, key FROM input ORDER BY ord
      RETURNING created_at
    ), journal AS (
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor, idempotency_key)
      SELECT ${channelId}, f, t, a, k::transfer_kind, m, p, ac, ik FROM (
        SELECT 0 AS grp, l.ord, l.f, l.t, l.a, l.k, NULL::bigint AS m, NULL::bigint AS p, 'system' AS ac, NULL::text AS ik
        FROM unnest(${lead((r) => r.from)}::bigint[], ${lead((r) => r.to)}::bigint[], ${lead((r) => r.amount)}::bigint[],
                    ${lead((r) => r.kind)}::text[]) WITH ORDINALITY AS l(f, t, a, k, ord)
        UNION ALL
        -- The pledge row holds the idempotency key (pledges_idempotency_uq); its journal row
        -- names the pledge and carries none, so it skips transfers_idempotency_uq (migration 0007).
        SELECT 1, ord, wallet, escrow, amount, 'pledge', mission_id, id, actor, NULL FROM input
      ) j ORDER BY grp, ord
    ), moved AS (
      UPDATE accounts SET balance = accounts.balance + d.delta
      FROM unnest(${ownIds}::bigint[], ${arrayParam(own.map(([, d]) => d))}::bigint[]) AS d(id, delta)
      WHERE accounts.id = d.id AND accounts.id = ANY(${ownIds}::bigint[])
      RETURNING accounts.id
    )
    SELECT (SELECT array_agg(id ORDER BY ord) FROM input) AS ids, (SELECT array_agg(backed ORDER BY ord) FROM input) AS backed,
           (SELECT min(created_at) FROM inserted) AS created_at,
           ml_check((SELECT count(*) FROM moved) = ${own.length}, 'pledge batch moved fewer wallets than it holds') AS checked`);
  // The shared rows through the one balance path, which locks them (in id order) when several and
  // fails unless it moves every one; sent behind the insert without waiting for it.
  return Promise.all([written, applyDeltas(tx, new Map(shared))]).then(([result, balances]) => {
    const row = result.rows[0] as { ids: (string | number)[] | null; backed: boolean[] | null; created_at: string | Date | null };
    return {
      ids: (row.ids ?? []).map(Number),
      backedBefore: row.backed ?? [],
      balances,
      createdAt: row.created_at ? new Date(row.created_at) : new Date(),
    };
  });
}
