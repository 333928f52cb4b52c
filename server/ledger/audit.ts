/**
 * Checks the ledger invariants (docs/ledger.md) against the live database, one channel at a time.
 * Read-only; runs in a REPEATABLE READ transaction so it sees one consistent snapshot.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';

export interface Violation {
  invariant: 1 | 2 | 3 | 4 | 5 | 6;
  message: string;
  account?: number;
  missionNumber?: number;
  pledgeId?: number;
}

export interface AuditReport {
  ok: boolean;
  violations: Violation[];
}

type Row = Record<string, number | string | null>;
const MAX_PER_CHECK = 50;

async function query(tx: Executor, q: ReturnType<typeof sql>): Promise<Row[]> {
  return (await tx.execute(q)).rows as Row[];
}

export async function auditChannel(db: Database, channelId: number): Promise<AuditReport> {
  const violations = await db.transaction(
    async (tx) => {
      const found: Violation[] = [];
      const add = (v: Violation) => found.push(v);

      // 1. balance = incoming − outgoing
      for (const r of await query(tx, sql`
        WITH flows AS (
          SELECT to_account AS id, amount AS delta FROM transfers WHERE channel_id = ${channelId}
          UNION ALL
          SELECT from_account, -amount FROM transfers WHERE channel_id = ${channelId}
        ), sums AS (SELECT id, sum(delta) AS total FROM flows GROUP BY id)
        SELECT a.id, a.balance, COALESCE(s.total, 0) AS computed
        FROM accounts a LEFT JOIN sums s ON s.id = a.id
        WHERE a.channel_id = ${channelId} AND a.balance <> COALESCE(s.total, 0)
        LIMIT ${MAX_PER_CHECK}`)) {
        add({ invariant: 1, account: Number(r.id), message: `account ${r.id} balance ${r.balance} but journal says ${r.computed}` });
      }

      // 2. only the mint may be negative
      for (const r of await query(tx, sql`
        SELECT id, kind, balance FROM accounts
        WHERE channel_id = ${channelId} AND kind <> 'mint' AND balance < 0 LIMIT ${MAX_PER_CHECK}`)) {
        add({ invariant: 2, account: Number(r.id), message: `${r.kind} account ${r.id} is negative (${r.balance})` });
      }

      // 3. a channel's balances sum to zero
      const [sum] = await query(tx, sql`SELECT COALESCE(sum(balance), 0) AS total FROM accounts WHERE channel_id = ${channelId}`);
      if (Number(sum?.total ?? 0) !== 0) add({ invariant: 3, message: `channel balances sum to ${sum?.total}, not 0` });

      // 4. escrow = unsettled pledges; zero once settled
      for (const r of await query(tx, sql`
        SELECT m.number, m.settled, e.balance,
               COALESCE((SELECT sum(p.amount) FROM pledges p WHERE p.mission_id = m.id AND p.settlement IS NULL), 0) AS unsettled
        FROM missions m JOIN accounts e ON e.kind = 'escrow' AND e.mission_id = m.id
        WHERE m.channel_id = ${channelId}
          AND (e.balance <> COALESCE((SELECT sum(p.amount) FROM pledges p WHERE p.mission_id = m.id AND p.settlement IS NULL), 0)
               OR (m.settled AND e.balance <> 0))
        LIMIT ${MAX_PER_CHECK}`)) {
        add({
          invariant: 4,
          missionNumber: Number(r.number),
          message: `mission #${r.number} escrow ${r.balance}, unsettled pledges ${r.unsettled}${r.settled ? ' (settled)' : ''}`,
        });
      }

      // 5. each pledge funded once; a refunded pledge has exactly one refund row of its amount,
      // any other none. Payouts are journaled per batch (settlement.ts), never per pledge.
      for (const r of await query(tx, sql`
        SELECT p.id, p.amount, p.settlement,
               count(t.id) FILTER (WHERE t.kind = 'pledge') AS funded,
               count(t.id) FILTER (WHERE t.kind = 'refund') AS refunds,
               COALESCE(sum(t.amount) FILTER (WHERE t.kind = 'refund'), 0) AS refunded
        FROM pledges p LEFT JOIN transfers t ON t.pledge_id = p.id
        WHERE p.channel_id = ${channelId}
        GROUP BY p.id
        HAVING count(t.id) FILTER (WHERE t.kind = 'pledge') <> 1
            OR COALESCE(sum(t.amount) FILTER (WHERE t.kind = 'pledge'), 0) <> p.amount
            OR count(t.id) FILTER (WHERE t.kind = 'refund') <> (CASE WHEN p.settlement = 'refunded' THEN 1 ELSE 0 END)
            OR (p.settlement = 'refunded' AND sum(t.amount) FILTER (WHERE t.kind = 'refund') <> p.amount)
        LIMIT ${MAX_PER_CHECK}`)) {
        add({
          invariant: 5,
          pledgeId: Number(r.id),
          message: `pledge ${r.id} (${r.amount}, ${r.settlement ?? 'unsettled'}): funded ${r.funded}x, refunds ${r.refunds} of ${r.refunded}`,
        });
      }

      // 5. a payout row moves one batch of a mission's pledges from its escrow to the treasury
      for (const r of await query(tx, sql`
        SELECT t.id, t.mission_id, t.pledge_id FROM transfers t
        LEFT JOIN accounts e ON e.kind = 'escrow' AND e.mission_id = t.mission_id
        LEFT JOIN accounts tr ON tr.channel_id = t.channel_id AND tr.kind = 'treasury'
        WHERE t.channel_id = ${channelId} AND t.kind = 'payout'
          AND (t.pledge_id IS NOT NULL OR e.id IS DISTINCT FROM t.from_account OR tr.id IS DISTINCT FROM t.to_account)
        LIMIT ${MAX_PER_CHECK}`)) {
        add({
          invariant: 5,
          ...(r.pledge_id === null ? {} : { pledgeId: Number(r.pledge_id) }),
          message: `payout transfer ${r.id} (mission ${r.mission_id ?? 'none'}, pledge ${r.pledge_id ?? 'none'}) is not one batch from the mission's escrow to the treasury`,
        });
      }

      // 5. per mission, the payout rows add up to the paid pledges (and exist only where pledges were paid)
      for (const r of await query(tx, sql`
        WITH paid AS (
          SELECT mission_id, sum(amount) AS total FROM pledges
          WHERE channel_id = ${channelId} AND settlement = 'paid' GROUP BY mission_id
        ), payouts AS (
          SELECT mission_id, sum(amount) AS total, count(*) AS n FROM transfers
          WHERE channel_id = ${channelId} AND kind = 'payout' GROUP BY mission_id
        )
        SELECT m.number, COALESCE(paid.total, 0) AS paid, COALESCE(payouts.total, 0) AS paid_out, COALESCE(payouts.n, 0) AS n
        FROM paid FULL JOIN payouts ON payouts.mission_id = paid.mission_id
        LEFT JOIN missions m ON m.id = COALESCE(paid.mission_id, payouts.mission_id)
        WHERE COALESCE(paid.total, 0) <> COALESCE(payouts.total, 0)
        LIMIT ${MAX_PER_CHECK}`)) {
        add({
          invariant: 5,
          ...(r.number === null ? {} : { missionNumber: Number(r.number) }),
          message: `mission #${r.number ?? '(none)'}: paid pledges ${r.paid}, payout transfers ${r.paid_out} in ${r.n} rows`,
        });
      }

      // 6. one effect per idempotency key
      for (const r of await query(tx, sql`
        SELECT kind, idempotency_key, count(*) AS n FROM transfers
        WHERE channel_id = ${channelId} AND idempotency_key IS NOT NULL
        GROUP BY kind, idempotency_key HAVING count(*) > 1 LIMIT ${MAX_PER_CHECK}`)) {
        add({ invariant: 6, message: `idempotency key ${r.idempotency_key} has ${r.n} ${r.kind} transfers` });
      }
      // A pledge's key is on the pledge (its journal row names the pledge and carries none).
      for (const r of await query(tx, sql`
        SELECT idempotency_key, count(*) AS n FROM pledges
        WHERE channel_id = ${channelId} AND idempotency_key IS NOT NULL
        GROUP BY idempotency_key HAVING count(*) > 1 LIMIT ${MAX_PER_CHECK}`)) {
        add({ invariant: 6, message: `idempotency key ${r.idempotency_key} has ${r.n} pledges` });
      }
      return found;
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
  return { ok: violations.length === 0, violations };
}

/** Audits every channel; keyed by channel login. */
export async function auditAll(db: Database): Promise<Map<string, AuditReport>> {
  const channels = (await db.execute(sql`SELECT id, login FROM channels ORDER BY id`)).rows as { id: number; login: string }[];
  const reports = new Map<string, AuditReport>();
  for (const channel of channels) reports.set(channel.login, await auditChannel(db, channel.id));
  return reports;
}
