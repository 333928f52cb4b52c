/**
 * Pledge micro-batcher. Pledges queue per channel and are committed together, up to
 * `maxBatch` at a time or after `maxDelayMs`, in ONE set-based transaction per batch: the missions
 * are share-locked once, the wallets locked (FOR NO KEY UPDATE, id order) and each pledge decided
 * in arrival order against the running balance (exact: a wallet covering 37 of 200 pledges gets
 * 37), and the escrow of each mission gets one delta per batch instead of one hot-row update per
 * pledge, locked only for that update and the commit. A batch of returning viewers is two round
 * trips, its statements pipelined: BEGIN with the missions and wallets locks; the write (pledges,
 * journal, wallet debits) with the escrow update and COMMIT.
 * Every caller gets its own result or typed DomainError; each mission gets one coalesced `pledge`
 * event per batch. A batch the database refuses over one item's data is committed in halves, down
 * to that item, which alone fails (pledge-batch-split.ts). The queue of accepted-but-uncommitted
 * pledges is bounded by the time it needs to commit and by count (OVERLOADED at once beyond).
 */
import { inPipeline, type Pipeline } from '../../db/pipeline.js';
import { actorLabel } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import { upsertChangedUsers } from '../repositories/channels-repository.js';
import { lockWallets } from '../ledger/accounts.js';
import { writePledgeBatch, type NewPledge } from '../ledger/pledge-batch.js';
import { insertWallets, startingBalanceTransfers } from '../ledger/wallets.js';
import { lockMissionsShared, pledgesByKeys, type KeyedPledge } from '../repositories/pledge-batch-repository.js';
import type { Channel } from './channels.js';
import type { ServiceDeps } from './context.js';
import { createAdmission } from './pledge-admission.js';
import { createBatchDelivery, type BatchResult, type Item, type PledgeOutcome } from './pledge-batch-delivery.js';
import { createBatchMemory } from './pledge-batch-memory.js';
import { commitSplitting } from './pledge-batch-split.js';
import { createKnownUsers, decideBatch, type PledgeRequest } from './pledge-decisions.js';
import { isPgError, retryOnConflict } from './transaction.js';

export { MAX_AMOUNT, type AmountInput, type PledgeRequest } from './pledge-decisions.js';
export type { PledgeOutcome } from './pledge-batch-delivery.js';

export interface PledgeBatcherOptions {
  /** Pledges per transaction. Default 500. */
  maxBatch?: number;
  /** How long the first pledge of a batch may wait for company. Default 5 ms. */
  maxDelayMs?: number;
  /** Accepted-but-uncommitted pledges beyond which new ones are refused (hard cap). Default 20,000. */
  maxQueued?: number;
  /**
   * A pledge is refused (OVERLOADED) when the accepted-but-uncommitted ones could not commit within
   * this long at the capacity recent batches have shown, projected to full batches (see
   * pledge-admission.ts). Below what the writers commit in this time at a cold process's pace (200 ms
   * per full batch: 5,000 at the defaults), pledges are always admitted (up to `maxQueued`).
   * Default 1,000 ms: a backlog a viewer would not notice (chat confirmations are coalesced and
   * paced anyway), and enough for a cold process to take a 5,000-line burst. (A 250 ms bound, with
   * capacity read from small batches, refused pledges at 5,000 lines/s that the service kept up with.)
   */
  maxWaitMs?: number;
  /** Batch transactions in flight at once. Default 2. */
  writers?: number;
  /**
   * Transactions a batch the database refused over one item's data may take to commit the rest
   * apart (see pledge-batch-split.ts: ~2·log2(n) per bad item). Default 40: two bad items in 500.
   */
  maxSplitRetries?: number;
  /**
   * Users whose login and display name this process has committed recently: their `users` upsert
   * is skipped (most storm pledges come from viewers already seen). Default 50,000.
   */
  knownUsers?: number;
  /** After each committed (or failed) batch: size and wall time, for metrics and the benchmark. */
  onBatch?: (info: { size: number; ms: number; ok: boolean }) => void;
  /**
   * Each pledge refused at once with OVERLOADED: `backlog` (what is queued could not commit in
   * time) or `closing` (shutting down). The bot refuses the lines it read too late itself.
   */
  onRefused?: (reason: RefusalReason) => void;
}

export type RefusalReason = 'backlog' | 'closing';

export interface PledgeBatcher {
  submit(request: PledgeRequest): Promise<PledgeOutcome>;
  /** Refuses new pledges, commits everything accepted, and resolves when nothing is in flight. */
  close(): Promise<void>;
  /** Accepted and not yet committed. */
  pending(): number;
}

interface Queue {
  channel: Channel;
  items: Item[];
  /** The oldest item has waited `maxDelayMs` (set by the timer: clocks and timers disagree by a ms). */
  due: boolean;
  timer: NodeJS.Timeout | null;
}

/** Another writer created a wallet this batch meant to create: run the batch again. */
class BatchRace extends Error {}

const MAX_ATTEMPTS = 5;

export function createPledgeBatcher(deps: Pick<ServiceDeps, 'db' | 'bus' | 'logger' | 'now'>, options: PledgeBatcherOptions = {}): PledgeBatcher {
  const maxBatch = options.maxBatch ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5;
  const maxQueued = options.maxQueued ?? 20_000;
  const writers = options.writers ?? 2;
  const maxSplitRetries = options.maxSplitRetries ?? 40;
  const queues = new Map<number, Queue>();
  const memory = createBatchMemory(deps.db);
  const { deliver } = createBatchDelivery(deps, memory);
  const knownUsers = createKnownUsers(options.knownUsers ?? 50_000);
  const admission = createAdmission({ maxWaitMs: options.maxWaitMs ?? 1_000, writers, maxBatch });
  /** Start times of the batches in flight, oldest first. */
  const batchStarts: number[] = [];
  let accepted = 0;
  let running = 0;
  let closing = false;
  let idleWaiters: (() => void)[] = [];

  function submit(request: PledgeRequest): Promise<PledgeOutcome> {
    if (closing || accepted >= maxQueued || !admission.admits(accepted, oldestBatchMs())) {
      options.onRefused?.(closing ? 'closing' : 'backlog');
      return Promise.reject(errors.overloaded());
    }
    return new Promise<PledgeOutcome>((resolve, reject) => {
      accepted++;
      let queue = queues.get(request.channel.id);
      if (!queue) {
        queue = { channel: request.channel, items: [], due: false, timer: null };
        queues.set(request.channel.id, queue);
      }
      // The newest channel row wins: settings changed through the API apply from the next batch.
      queue.channel = request.channel;
      if (queue.items.length === 0) {
        queue.due = false;
        const q = queue;
        q.timer = setTimeout(() => {
          q.timer = null;
          q.due = true;
          pump();
        }, maxDelayMs);
      }
      queue.items.push({ request, resolve, reject });
      if (queue.items.length >= maxBatch) pump();
    });
  }

  /** Starts batches while writers are free: full queues first, then any whose delay ran out. */
  function pump(): void {
    while (running < writers) {
      let next: Queue | undefined;
      for (const q of queues.values()) {
        if (q.items.length === 0) continue;
        const ready = closing || q.due || q.items.length >= maxBatch;
        if (ready && (!next || q.items.length > next.items.length)) next = q;
      }
      if (!next) return;
      const items = next.items.splice(0, maxBatch);
      if (next.items.length === 0) {
        if (next.timer) clearTimeout(next.timer);
        next.timer = null;
        next.due = false;
      } else if (!next.timer) {
        // What is left has waited as long as the batch just taken: due at once.
        next.due = true;
      }
      running++;
      const started = performance.now();
      batchStarts.push(started);
      const finished = (transactions: number): void => {
        running--;
        accepted -= items.length;
        batchStarts.splice(batchStarts.indexOf(started), 1);
        // A batch split apart (one bad item) says nothing about the capacity of one transaction.
        if (transactions === 1) admission.recordBatch(items.length, performance.now() - started);
        if (accepted === 0 && running === 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const w of waiters) w();
        }
        pump();
      };
      void runBatch(next.channel, items).then(finished, () => finished(0));
    }
  }

  const oldestBatchMs = (): number => (batchStarts.length === 0 ? 0 : performance.now() - batchStarts[0]!);

  /** Resolves with the transactions the batch took. */
  function runBatch(channel: Channel, items: Item[]): Promise<number> {
    return commitSplitting(items, {
      commit: (part) => commitBatch(channel, part),
      async committed(part, result, ms) {
        try {
          // Only after commit: a rolled-back upsert must not be remembered as done.
          knownUsers.remember(result.upserted);
          await deliver(channel, part, result);
          options.onBatch?.({ size: part.length, ms, ok: true });
        } catch (err) {
          // Committed: never run again (a pledge without a key would count twice).
          deps.logger.error({ err, channel: channel.login, size: part.length }, 'pledge batch committed but its callers could not be answered');
          for (const item of part) item.reject(err);
          options.onBatch?.({ size: part.length, ms, ok: false });
        }
      },
      failed(part, err, ms) {
        deps.logger.error({ err, channel: channel.login, size: part.length }, 'pledge batch failed');
        for (const item of part) item.reject(err);
        options.onBatch?.({ size: part.length, ms, ok: false });
      },
      attemptFailed(part, err, ms) {
        deps.logger.warn({ err, channel: channel.login, size: part.length }, 'pledge batch refused over its data; committing its halves apart');
        options.onBatch?.({ size: part.length, ms, ok: false });
      },
      maxRetries: maxSplitRetries,
    });
  }

  /** One transaction for `items`, run again when a concurrent writer raced it. */
  async function commitBatch(channel: Channel, items: readonly Item[]): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
      const failure: { first?: unknown } = {};
      try {
        return await retryOnConflict(() => {
          failure.first = undefined;
          return inPipeline(deps.db.$client, (tx) => applyBatch(tx, channel, items, attempt > 1, failure));
        });
      } catch (caught) {
        // The statement that aborted the transaction, rather than one that ran into the abort.
        const err = isPgError(caught, '25P02') ? (failure.first ?? caught) : caught;
        // A concurrent writer committed the same key or created the same wallet: the retry sees it.
        const raced = err instanceof BatchRace || isPgError(err, '23505');
        if (!raced || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }


  /**
   * One batch in `tx`, pipelined (db/pipeline.ts): the locks leave with BEGIN, the writes with
   * COMMIT, so a batch of returning viewers is two round trips. `lookUpKeys`:
   * read committed pledges under the batch's idempotency keys first. The first attempt skips that
   * read since a repeated key is rare (the bot drops redelivered lines itself): a repeat then
   * fails the pledge insert on the unique key (23505), the transaction rolls back, and the retry
   * looks keys up and answers the replay.
   */
  async function applyBatch(tx: Pipeline, channel: Channel, items: readonly Item[], lookUpKeys: boolean, failure: { first?: unknown }): Promise<BatchResult> {
    const requests = items.map((i) => i.request);
    const keys = [...new Set(requests.flatMap((r) => (r.idempotencyKey === null ? [] : [r.idempotencyKey])))];
    // Missions share-locked before wallets, the order every writer follows. Every requester's
    // wallet is locked, also for a mission that turns out closed: it saves waiting for the
    // missions before sending the wallet lock.
    const [replays, missions, wallets] = await Promise.all([
      lookUpKeys ? pledgesByKeys(tx, channel.id, keys) : new Map<string, KeyedPledge>(),
      lockMissionsShared(tx, channel.id, requests.map((r) => r.number)),
      lockWallets(tx, channel.id, [...new Set(requests.map((r) => r.user.userId))]),
    ]);
    const open = [...missions.values()].filter((m) => m.status === 'open');
    await Promise.all(open.map((mission) => memory.refreshMemo(mission)));

    // Earlier backers are known only after the insert (see writePledgeBatch): decide with
    // none, which marks each viewer's first pledge of the batch, and correct that afterwards.
    const decisions = decideBatch(requests, {
      settings: channel.settings,
      missions,
      wallets,
      replays,
      backed: new Set(),
    });
    const accepted = decisions.flatMap((d, i) => (d.kind === 'accept' ? [{ d, r: requests[i]! }] : []));
    const pots = new Map<number, number>();
    const newBackers = new Map<number, number>();
    if (accepted.length === 0) return { decisions, missions, pots, newBackers, createdAt: deps.now(), replays, upserted: [] };

    const users = new Map(accepted.map(({ r }) => [r.user.userId, r.user]));
    const upserted = [...users.values()];
    // Sent now and awaited with the write: nothing before it needs its result. (The catch only
    // keeps a failure from going unhandled when the batch fails before that.)
    const usersWritten = upsertChangedUsers(tx, upserted.filter((u) => !knownUsers.has(u)));
    // Kept: the statements behind it fail only with "transaction aborted" (25P02).
    usersWritten.catch((err: unknown) => (failure.first ??= err));
    const fresh = [...users.keys()].filter((u) => !wallets.has(u));
    const [created, escrows] = await Promise.all([
      insertWallets(tx, channel.id, fresh),
      memory.escrowIds([...new Set(accepted.map(({ d }) => d.missionId))]),
    ]);
    if (created.size !== fresh.length) throw new BatchRace('wallet created concurrently');
    const walletOf = (userId: string) => wallets.get(userId)?.id ?? created.get(userId)!;

    const deltas = new Map<number, number>();
    const add = (id: number, delta: number) => deltas.set(id, (deltas.get(id) ?? 0) + delta);
    const leading =
      created.size > 0 && channel.settings.startingBalance > 0
        ? startingBalanceTransfers(await memory.mintId(channel.id), created.values(), channel.settings.startingBalance)
        : [];
    for (const t of leading) {
      add(t.from, -t.amount);
      add(t.to, t.amount);
    }
    const rows: NewPledge[] = accepted.map(({ d, r }) => {
      const walletId = walletOf(r.user.userId);
      const escrowId = escrows.get(d.missionId);
      if (escrowId === undefined) throw new Error(`mission ${d.missionId} has no escrow`);
      add(walletId, -d.amount);
      add(escrowId, d.amount);
      const { amount, missionId } = d;
      return { missionId, userId: r.user.userId, amount, idempotencyKey: r.idempotencyKey, walletId, escrowId, actor: actorLabel(r.actor) };
    });
    const locked = new Set([...[...wallets.values()].map((w) => w.id), ...created.values()]);
    const written = writePledgeBatch(tx, channel.id, { pledges: rows, leading, deltas, locked });
    // Its statements are sent and check themselves: the COMMIT travels with them.
    tx.commit();
    const [{ ids, backedBefore, balances, createdAt }] = await Promise.all([written, usersWritten]);
    accepted.forEach(({ d }, i) => {
      d.pledgeId = ids[i];
      d.firstPledge &&= backedBefore[i] === false;
      if (d.firstPledge) newBackers.set(d.missionId, (newBackers.get(d.missionId) ?? 0) + 1);
    });
    for (const [missionId, escrowId] of escrows) pots.set(missionId, balances.get(escrowId) ?? 0);
    return { decisions, missions, pots, newBackers, createdAt, replays, upserted };
  }

  return {
    submit,
    pending: () => accepted,
    async close() {
      closing = true;
      pump();
      if (accepted === 0 && running === 0) return;
      await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
