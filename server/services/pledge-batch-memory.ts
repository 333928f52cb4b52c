/**
 * What the pledge batcher remembers between batches, per process, so a batch does not re-read it:
 * account ids that are fixed for life (a mission's escrow, a channel's mint: unique, never
 * deleted) and per-mission display facts (backer count, proposer) that a 100,000-pledge mission
 * would otherwise recount every batch. Bounded; the oldest entries are forgotten first.
 *
 * Everything here is read on the pool, outside the batch's transaction: the ids are committed
 * before any pledge can name them, and the memo's figures are display facts (see `backers`).
 */
import type { Database } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import type { MissionDto, ViewerRef } from '../domain/types.js';
import { findUsers } from '../repositories/channels-repository.js';
import { escrowsOf, getSystemAccounts } from '../ledger/accounts.js';
import { countBackers } from '../repositories/pledge-batch-repository.js';
import { toViewerRef } from './mission-views.js';

/** Per-mission facts kept between batches. `backers` is exact when read and counted up after. */
export interface MissionMemo {
  backers: number;
  proposer: ViewerRef;
  at: number;
}

/** A memo is recounted after this long (other processes' new backers show up by then). */
const MEMO_TTL_MS = 30_000;
const MAX_ESCROWS = 10_000;
const MAX_MEMOS = 1_000;

export interface BatchMemory {
  /** Escrow account id of each mission that has one. */
  escrowIds(missionIds: readonly number[]): Promise<Map<number, number>>;
  mintId(channelId: number): Promise<number>;
  /** Reads the mission's memo when missing; recounts it in the background when older than the TTL. */
  refreshMemo(mission: MissionRow): Promise<void>;
  memo(missionId: number): MissionMemo | undefined;
}

const forgetOldest = <K, V>(map: Map<K, V>, max: number): void => {
  while (map.size > max) map.delete(map.keys().next().value as K);
};

export function createBatchMemory(db: Database, now: () => number = Date.now): BatchMemory {
  const escrows = new Map<number, number>();
  const mints = new Map<number, number>();
  const memos = new Map<number, MissionMemo>();

  return {
    async escrowIds(missionIds) {
      const unknown = missionIds.filter((id) => !escrows.has(id));
      if (unknown.length > 0) {
        for (const [missionId, escrowId] of await escrowsOf(db, unknown)) escrows.set(missionId, escrowId);
        forgetOldest(escrows, MAX_ESCROWS);
      }
      const found = new Map<number, number>();
      for (const id of missionIds) {
        const escrowId = escrows.get(id);
        if (escrowId !== undefined) found.set(id, escrowId);
      }
      return found;
    },

    async mintId(channelId) {
      let mint = mints.get(channelId);
      if (mint === undefined) {
        mint = (await getSystemAccounts(db, channelId)).mint;
        mints.set(channelId, mint);
        forgetOldest(mints, MAX_ESCROWS);
      }
      return mint;
    },

    async refreshMemo(mission) {
      const t = now();
      const memo = memos.get(mission.id);
      if (memo && t - memo.at < MEMO_TTL_MS) return;
      if (memo) {
        // A recount reads every pledge of the mission (30 ms at 60,000): run it beside the batches,
        // not inside one holding its locks. Backers only grow while a mission is open, so the
        // larger of the recount and the memo (which counted this process's batches meanwhile) wins.
        memo.at = t;
        countBackers(db, mission.id).then(
          (n) => (memo.backers = Math.max(memo.backers, n)),
          () => (memo.at = 0), // retried by the next batch; the memo stays as it was
        );
        return;
      }
      const [users, backers] = await Promise.all([findUsers(db, [mission.proposerId]), countBackers(db, mission.id)]);
      memos.set(mission.id, { backers, proposer: toViewerRef(users.get(mission.proposerId), mission.proposerId), at: t });
      forgetOldest(memos, MAX_MEMOS);
    },

    memo: (missionId) => memos.get(missionId),
  };
}

/** The mission as a pledge batch leaves it (open: no grace or approval window to show). */
export function liveMissionDto(row: MissionRow, pot: number, memo: MissionMemo, newestBacker: ViewerRef): MissionDto {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    number: row.number,
    text: row.text,
    status: row.status,
    pot,
    backers: memo.backers,
    proposer: memo.proposer,
    createdAt: row.createdAt.toISOString(),
    openedAt: iso(row.openedAt),
    deadline: iso(row.deadline),
    resolvedAt: iso(row.resolvedAt),
    settled: row.settled,
    reason: row.reason,
    newestBacker,
    graceEndsAt: null,
    pendingExpiresAt: null,
  };
}
