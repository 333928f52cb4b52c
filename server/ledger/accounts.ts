/**
 * The ledger's accounts: each channel's treasury and mint, viewers' wallets, missions' escrows.
 * Only server/ledger/ writes them (tests/unit/ledger-ownership.test.ts checks it); other modules
 * read them and move points through the functions of this folder.
 */
import { sql } from 'drizzle-orm';
import { arrayParam } from '../../db/array-param.js';
import type { Executor } from '../../db/client.js';
import type { SqlRow as Row, SqlRunner } from '../../db/pipeline.js';
import type { TransferKind } from '../../db/schema.js';

export interface TransferInput {
  from: number;
  to: number;
  amount: number;
  kind: TransferKind;
  missionId?: number | null;
  pledgeId?: number | null;
  actor?: string | null;
  idempotencyKey?: string | null;
}

export interface SystemAccounts {
  treasury: number;
  mint: number;
}

const rows = <T>(result: { rows: Row[] }) => result.rows as T[];

export async function createSystemAccounts(tx: Executor, channelId: number): Promise<SystemAccounts> {
  await tx.execute(sql`
    INSERT INTO accounts (channel_id, kind) VALUES (${channelId}, 'treasury'), (${channelId}, 'mint')
    ON CONFLICT DO NOTHING`);
  return getSystemAccounts(tx, channelId);
}

export async function getSystemAccounts(tx: Executor, channelId: number): Promise<SystemAccounts> {
  const result = rows<{ id: number; kind: string }>(
    await tx.execute(sql`SELECT id, kind FROM accounts WHERE channel_id = ${channelId} AND kind IN ('treasury', 'mint')`),
  );
  const treasury = result.find((r) => r.kind === 'treasury')?.id;
  const mint = result.find((r) => r.kind === 'mint')?.id;
  if (treasury === undefined || mint === undefined) throw new Error(`channel ${channelId} has no system accounts`);
  return { treasury, mint };
}

export async function findWallet(tx: Executor, channelId: number, userId: string): Promise<{ id: number; balance: number } | null> {
  const result = rows<{ id: number; balance: number }>(
    await tx.execute(sql`SELECT id, balance FROM accounts WHERE channel_id = ${channelId} AND kind = 'wallet' AND user_id = ${userId}`),
  );
  return result[0] ?? null;
}

export async function createEscrow(tx: Executor, channelId: number, missionId: number): Promise<number> {
  const result = rows<{ id: number }>(
    await tx.execute(sql`INSERT INTO accounts (channel_id, kind, mission_id) VALUES (${channelId}, 'escrow', ${missionId}) RETURNING id`),
  );
  return result[0]!.id;
}

export async function escrowOf(tx: Executor, missionId: number): Promise<{ id: number; balance: number }> {
  const result = rows<{ id: number; balance: number }>(
    await tx.execute(sql`SELECT id, balance FROM accounts WHERE kind = 'escrow' AND mission_id = ${missionId}`),
  );
  if (!result[0]) throw new Error(`mission ${missionId} has no escrow`);
  return result[0];
}

/** Locks the wallet row and returns its balance (for amounts relative to the balance: all, half, %). */
export async function lockWallet(tx: Executor, walletId: number): Promise<number> {
  const result = rows<{ balance: number }>(await tx.execute(sql`SELECT balance FROM accounts WHERE id = ${walletId} FOR UPDATE`));
  return result[0]!.balance;
}

/** Locks the existing wallets of these users in id order (no deadlock between batches) and returns their balances. */
export async function lockWallets(tx: SqlRunner, channelId: number, userIds: readonly string[]): Promise<Map<string, { id: number; balance: number }>> {
  const wallets = new Map<string, { id: number; balance: number }>();
  if (userIds.length === 0) return wallets;
  const result = await tx.execute(sql`
    SELECT id, user_id, balance FROM accounts
    WHERE id = ANY(ARRAY(
      SELECT w.id FROM unnest(${arrayParam(userIds)}::text[]) AS u(user_id)
      CROSS JOIN LATERAL (
        SELECT id FROM accounts WHERE channel_id = ${channelId} AND kind = 'wallet' AND user_id = u.user_id LIMIT 1) w))
    ORDER BY id FOR NO KEY UPDATE`);
  for (const r of result.rows as Row[]) wallets.set(String(r.user_id), { id: Number(r.id), balance: Number(r.balance) });
  return wallets;
}

/** Escrow account ids of these missions. */
export async function escrowsOf(tx: SqlRunner, missionIds: readonly number[]): Promise<Map<number, number>> {
  const result = await tx.execute(sql`
    SELECT id, mission_id FROM accounts WHERE kind = 'escrow' AND mission_id = ANY(${arrayParam(missionIds)}::bigint[])`);
  return new Map((result.rows as Row[]).map((r) => [Number(r.mission_id), Number(r.id)]));
}
