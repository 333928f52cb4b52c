/**
 * Opening wallets, and the starting balance a new wallet is credited with: one `starting_balance`
 * journal row from the channel's mint, written in the transaction that creates the wallet, and
 * never again for that wallet. Every path that creates a wallet is in the ledger, and here but one:
 * `openWallet` (one viewer: commands, grants, proposals, redemptions), `insertWallets` with
 * `startingBalanceTransfers` (a pledge batch, whose write journals them ahead of its pledges),
 * `openImportedWallets` (an import, whose imported balance takes the starting balance's place)
 * and the accrual chunk (accrual.ts, whose one statement inserts each new wallet with its
 * starting balance already added, next to the same journal row).
 */
import { sql } from 'drizzle-orm';
import { arrayParam } from '../../db/array-param.js';
import type { Executor } from '../../db/client.js';
import type { SqlRow as Row, SqlRunner } from '../../db/pipeline.js';
import { getSystemAccounts } from './accounts.js';
import { applyTransfers } from './transfers.js';

const rows = <T>(result: { rows: Row[] }) => result.rows as T[];

/**
 * The viewer's wallet in this channel, created when missing and then credited the starting balance
 * (when it is positive). `created` says whether this call created it.
 */
export async function openWallet(tx: Executor, channelId: number, userId: string, startingBalance: number): Promise<{ id: number; created: boolean }> {
  const wallet = await ensureWallet(tx, channelId, userId);
  if (wallet.created && startingBalance > 0) {
    const { mint } = await getSystemAccounts(tx, channelId);
    await applyTransfers(tx, channelId, [{ from: mint, to: wallet.id, amount: startingBalance, kind: 'starting_balance', actor: 'system' }]);
  }
  return wallet;
}

/** The viewer's wallet id, creating it (empty) when missing; `created` says it was created now. */
async function ensureWallet(tx: Executor, channelId: number, userId: string): Promise<{ id: number; created: boolean }> {
  const inserted = rows<{ id: number }>(
    await tx.execute(sql`
      INSERT INTO accounts (channel_id, kind, user_id) VALUES (${channelId}, 'wallet', ${userId})
      ON CONFLICT (channel_id, user_id) WHERE kind = 'wallet' DO NOTHING
      RETURNING id`),
  );
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const existing = rows<{ id: number }>(
    await tx.execute(sql`SELECT id FROM accounts WHERE channel_id = ${channelId} AND kind = 'wallet' AND user_id = ${userId}`),
  );
  if (!existing[0]) throw new Error('wallet vanished');
  return { id: existing[0].id, created: false };
}

/**
 * Creates the (empty) wallets of these users, for a pledge batch that journals their starting
 * balances itself (`startingBalanceTransfers`); returns the ids of those it created. A wallet
 * that appeared since the caller looked (another writer) is not returned, so the caller can
 * detect the race.
 */
export async function insertWallets(tx: SqlRunner, channelId: number, userIds: readonly string[]): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  if (userIds.length === 0) return created;
  const result = await tx.execute(sql`
    INSERT INTO accounts (channel_id, kind, user_id)
    SELECT ${channelId}, 'wallet', u FROM unnest(${arrayParam([...userIds].sort())}::text[]) AS t(u)
    ON CONFLICT (channel_id, user_id) WHERE kind = 'wallet' DO NOTHING
    RETURNING id, user_id`);
  for (const r of result.rows as Row[]) created.set(String(r.user_id), Number(r.id));
  return created;
}

/** A journal row written before the batch's pledges (a new wallet's starting balance). */
export interface LeadingTransfer {
  from: number;
  to: number;
  amount: number;
  kind: 'starting_balance';
}

/** The starting-balance rows of wallets just created by `insertWallets`: none when the balance is 0. */
export function startingBalanceTransfers(mint: number, walletIds: Iterable<number>, startingBalance: number): LeadingTransfer[] {
  if (startingBalance <= 0) return [];
  return [...walletIds].map((to) => ({ from: mint, to, amount: startingBalance, kind: 'starting_balance' as const }));
}

/**
 * The wallets of these users, creating the missing ones empty: an import credits its own
 * balances instead of the starting balance.
 */
export async function openImportedWallets(tx: Executor, channelId: number, userIds: readonly string[]): Promise<Map<string, number>> {
  await tx.execute(sql`
    INSERT INTO accounts (channel_id, kind, user_id)
    SELECT ${channelId}, 'wallet', u FROM unnest(${arrayParam(userIds)}::text[]) AS u
    ON CONFLICT (channel_id, user_id) WHERE kind = 'wallet' DO NOTHING`);
  return new Map(
    rows<Row>(
      await tx.execute(sql`
        SELECT id, user_id FROM accounts WHERE channel_id = ${channelId} AND kind = 'wallet'
          AND user_id = ANY(${arrayParam(userIds)}::text[])`),
    ).map((r) => [String(r.user_id), Number(r.id)]),
  );
}
