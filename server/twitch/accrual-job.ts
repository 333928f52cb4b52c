/**
 * The watch-time accrual job (SPEC §6): one repeatable BullMQ job per channel. While the stream
 * is live every chatter (Helix Get Chatters, all pages) earns the channel's amount and viewers
 * who chatted during the interval the bonus; without a token that allows Get Chatters (or
 * without Twitch at all) viewers who chatted earn it. Crediting is idempotent per interval.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { JobBackend } from '../jobs/backend.js';
import { findChannelById, updateChannel } from '../repositories/channels-repository.js';
import { listChannels } from '../repositories/channels-repository.js';
import { resolveSettings } from '../domain/settings.js';
import { withRetry } from '../services/transaction.js';
import { creditAccrual } from './accrual-repository.js';
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

export interface AccrualDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  /** Absent when Twitch is not configured: chat-activity accrual only. */
  twitch?: { integration: TwitchIntegration; helix: Helix } | undefined;
}

export function createAccrualRunner(deps: AccrualDeps) {
  const log = deps.logger.child({ component: 'accrual' });

  async function run(channelId: number): Promise<AccrualOutcome> {
    const row = await findChannelById(deps.db, channelId);
    if (!row) return { status: 'no-channel' };
    const settings = resolveSettings(row.settings);
    if (!settings.accrual.enabled) return { status: 'disabled' };
    const now = deps.now();

    let viewers: Awaited<ReturnType<Helix['chatters']>> = null;
    if (deps.twitch) {
      const { helix, integration } = deps.twitch;
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
      if (integration.hasBroadcasterToken(broadcasterId)) {
        await syncModerators(deps.db, helix, channelId, broadcasterId, deps.now()).catch((err: unknown) =>
          log.warn({ channelId, err: safeError(err) }, 'moderator sync failed'),
        );
      }
    }

    const started = Date.now();
    const result = await withRetry(deps.db, (tx) =>
      creditAccrual(tx, {
        channelId,
        intervalStart: intervalStartOf(now, settings.accrual.intervalSeconds),
        chattedSince: new Date(now.getTime() - settings.accrual.intervalSeconds * 1000),
        amount: settings.accrual.amount,
        chatBonus: settings.accrual.chatBonus,
        startingBalance: settings.startingBalance,
        viewers: viewers ?? [],
      }),
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
