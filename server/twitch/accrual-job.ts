/**
 * The watch-time accrual job: one repeatable BullMQ job per channel. While the stream
 * is live every chatter (Helix Get Chatters, all pages) earns the channel's amount and viewers
 * who chatted during the interval the bonus; without a token that allows Get Chatters (or
 * without Twitch at all) viewers who chatted earn it. Crediting is idempotent per interval and
 * done in chunks of a few thousand viewers, each its own short transaction.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import { upsertChangedUsers } from '../repositories/channels-repository.js';
import { AccrualWalletRace, creditAccrualChunk, type AccrualResult, type AccrualTerms, type AccrualViewer } from '../ledger/accrual.js';
import { getSystemAccounts } from '../ledger/accounts.js';
import type { JobBackend } from '../jobs/backend.js';
import { findChannelById, updateChannel } from '../repositories/channels-repository.js';
import { listChannels } from '../repositories/channels-repository.js';
import { resolveSettings } from '../domain/settings.js';
import { withRetry } from '../services/transaction.js';
import { intervalViewers, type AccrualBatch } from './accrual-repository.js';
import type { Helix } from './helix.js';
import type { TwitchIntegration } from './integration.js';
import { syncModerators } from './moderators.js';
import { safeError } from './redact.js';

export const ACCRUAL_QUEUE = 'twitch-accrual';

export interface AccrualJobData {
  channelId: number;
}

export type AccrualOutcome =
  | { status: 'no-channel' | 'disabled' | 'offline' | 'unresolved' }
  | { status: 'credited'; source: 'chatters' | 'chat-activity'; viewers: number; credited: number; points: number };

/** Start of the interval `now` falls in (pure). */
export function intervalStartOf(now: Date, intervalSeconds: number): Date {
  const ms = intervalSeconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

/**
 * Viewers per chunk transaction, chosen with bench/accrual.ts (50,000 chatters, 2 cores shared
 * with other benchmarks): with 2,000 a chunk takes ~45 ms with wallets in place and ~75-100 ms
 * when all are new (200 ms seen under heavy load), against ~100-120 ms and up to 233 ms with
 * 2,500 and 5,000 new viewers; smaller chunks only add commits (1,000: 50 of them, ~1.5x slower).
 */
export const ACCRUAL_CHUNK_SIZE = 2_000;
const RACE_ATTEMPTS = 5;

export interface IntervalCredit extends AccrualResult {
  chunks: number;
  /** Longest chunk transaction, begin to commit (retries included), in ms. */
  longestChunkMs: number;
}

export interface CreditIntervalOptions {
  chunkSize?: number | undefined;
  /** Called after each committed chunk (tests inject failures here). */
  afterChunk?: (index: number, result: AccrualResult) => void | Promise<void>;
}

/**
 * Credits an interval chunk by chunk, each chunk its own transaction (see server/ledger/accrual.ts).
 * A failure between chunks leaves the committed ones in place; running the interval again
 * credits exactly the viewers they did not.
 */
export async function creditInterval(db: Database, batch: AccrualBatch, options: CreditIntervalOptions = {}): Promise<IntervalCredit> {
  const chunkSize = Math.max(1, options.chunkSize ?? ACCRUAL_CHUNK_SIZE);
  const viewers = await intervalViewers(db, batch);
  const { mint } = await getSystemAccounts(db, batch.channelId);
  const terms = { ...batch, mint };
  const chunks: AccrualViewer[][] = [];
  for (let from = 0; from < viewers.length; from += chunkSize) chunks.push(viewers.slice(from, from + chunkSize));
  const total: IntervalCredit = { credited: 0, points: 0, newWallets: 0, chunks: 0, longestChunkMs: 0 };
  // The next chunk's users are recorded on a second connection while this chunk is credited
  // (~15% of the time with 50,000 new viewers; they are disjoint rows, nothing to wait on).
  let users = recordUsers(db, chunks[0]);
  try {
    for (const [index, chunk] of chunks.entries()) {
      const failed = await users;
      if (failed) throw failed.error;
      users = recordUsers(db, chunks[index + 1]);
      const started = performance.now();
      const result = await creditChunk(db, terms, chunk);
      total.longestChunkMs = Math.max(total.longestChunkMs, performance.now() - started);
      total.credited += result.credited;
      total.points += result.points;
      total.newWallets += result.newWallets;
      total.chunks += 1;
      await options.afterChunk?.(index, result);
    }
  } finally {
    // Never leave the overlapping upsert running past this call.
    await users;
  }
  return total;
}

/**
 * Records a chunk's present viewers as users, in its own short transaction. Settles with the
 * failure instead of rejecting: it runs unawaited beside a chunk, and a rejection nobody listens
 * to yet would end the process.
 */
async function recordUsers(db: Database, chunk: readonly AccrualViewer[] | undefined): Promise<{ error: unknown } | null> {
  const present = chunk?.flatMap((v) => (v.user ? [v.user] : [])) ?? [];
  try {
    if (present.length > 0) await withRetry(db, (tx) => upsertChangedUsers(tx, present));
    return null;
  } catch (error) {
    return { error };
  }
}

/** One chunk in its own transaction; re-run when a pledge created one of its wallets meanwhile. */
async function creditChunk(db: Database, terms: AccrualTerms, chunk: readonly AccrualViewer[]): Promise<AccrualResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withRetry(db, (tx) => creditAccrualChunk(tx, terms, chunk));
    } catch (err) {
      if (!(err instanceof AccrualWalletRace) || attempt >= RACE_ATTEMPTS) throw err;
    }
  }
}

export interface AccrualDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  /** Absent when Twitch is not configured: chat-activity accrual only. */
  twitch?: { integration: TwitchIntegration; helix: Helix } | undefined;
  /** Viewers per chunk transaction (tests use small ones); ACCRUAL_CHUNK_SIZE by default. */
  chunkSize?: number | undefined;
}

/** How often moderators are synced, live or not. */
export const MODERATOR_SYNC_MS = 10 * 60_000;

export function createAccrualRunner(deps: AccrualDeps) {
  const log = deps.logger.child({ component: 'accrual' });
  const modsSyncedAt = new Map<number, number>();

  // Moderators change while the channel is offline too; the accrual schedule is the timer.
  async function syncModeratorsIfDue(channelId: number, broadcasterId: string | null): Promise<void> {
    if (!deps.twitch || !broadcasterId || !deps.twitch.integration.hasBroadcasterToken(broadcasterId)) return;
    const at = deps.now().getTime();
    if (at - (modsSyncedAt.get(channelId) ?? Number.NEGATIVE_INFINITY) < MODERATOR_SYNC_MS) return;
    modsSyncedAt.set(channelId, at);
    await syncModerators(deps.db, deps.twitch.helix, channelId, broadcasterId, deps.now()).catch((err: unknown) =>
      log.warn({ channelId, err: safeError(err) }, 'moderator sync failed'),
    );
  }

  async function run(channelId: number): Promise<AccrualOutcome> {
    const row = await findChannelById(deps.db, channelId);
    if (!row) return { status: 'no-channel' };
    const settings = resolveSettings(row.settings);
    await syncModeratorsIfDue(channelId, row.broadcasterId);
    if (!settings.accrual.enabled) return { status: 'disabled' };
    const now = deps.now();

    let viewers: Awaited<ReturnType<Helix['chatters']>> = null;
    if (deps.twitch) {
      const { helix } = deps.twitch;
      let broadcasterId = row.broadcasterId;
      if (!broadcasterId) {
        const user = await helix.userByLogin(row.login);
        if (!user) return { status: 'unresolved' };
        broadcasterId = user.id;
        await updateChannel(deps.db, channelId, { broadcasterId, displayName: user.displayName });
      }
      const stream = await helix.liveStream(broadcasterId);
      if (!stream) return { status: 'offline' };
      if (stream.login !== row.login) await followRename(channelId, row.login, stream.login, stream.displayName);
      viewers = await helix.chatters(broadcasterId);
    }
    const botId = deps.twitch?.integration.botUserId() ?? null;

    const started = Date.now();
    const result = await creditInterval(
      deps.db,
      {
        channelId,
        intervalStart: intervalStartOf(now, settings.accrual.intervalSeconds),
        chattedSince: new Date(now.getTime() - settings.accrual.intervalSeconds * 1000),
        amount: settings.accrual.amount,
        chatBonus: settings.accrual.chatBonus,
        startingBalance: settings.startingBalance,
        viewers: viewers ?? [],
        excluded: {
          userIds: [row.broadcasterId, botId].filter((id): id is string => id !== null),
          logins: [row.login, ...settings.accrual.excludedLogins],
        },
      },
      { chunkSize: deps.chunkSize },
    );
    const source = viewers ? 'chatters' : 'chat-activity';
    log.info({ channelId, source, viewers: viewers?.length ?? 0, ...result, ms: Date.now() - started }, 'watch-time accrual');
    return { status: 'credited', source, viewers: viewers?.length ?? 0, credited: result.credited, points: result.points };
  }

  // Identity is the broadcaster id; the login follows the rename (a clash with another row is only logged).
  async function followRename(channelId: number, from: string, to: string, displayName: string): Promise<void> {
    try {
      await updateChannel(deps.db, channelId, { login: to, displayName });
      log.info({ channelId, from, to }, 'channel renamed on Twitch; login updated');
    } catch (err) {
      log.warn({ channelId, from, to, err: safeError(err) }, 'channel rename could not be applied');
    }
  }

  return { run };
}

/**
 * Starts the accrual worker and keeps one job scheduler per channel (`accrual-<id>`, every
 * `intervalSeconds`). `sync` adds schedulers for new channels and follows interval changes.
 */
export function startAccrualJobs(deps: AccrualDeps & { backend: JobBackend }) {
  const runner = createAccrualRunner(deps);
  const queue = deps.backend.createQueue<AccrualJobData>(ACCRUAL_QUEUE);
  const worker = deps.backend.createWorker<AccrualJobData>(ACCRUAL_QUEUE, async (job) => runner.run(job.data.channelId), { concurrency: 2 });
  worker.on('error', (err) => deps.logger.warn({ err: safeError(err) }, 'accrual worker error'));

  async function sync(): Promise<number> {
    const channels = await listChannels(deps.db);
    for (const row of channels) {
      const every = resolveSettings(row.settings).accrual.intervalSeconds * 1000;
      await queue.upsertJobScheduler(`accrual-${row.id}`, { every }, { name: 'accrual', data: { channelId: row.id } });
    }
    return channels.length;
  }

  return {
    runner,
    sync,
    close: () => worker.close(),
  };
}
