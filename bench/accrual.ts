/**
 * Scenario (e): watch-time accrual for 50,000 chatters, through `creditInterval` as the accrual
 * job runs it (chunks of viewers, each its own transaction; `chunkSize` overrides the size), on
 * tables filled without ANALYZE (autovacuum is off here, as it may be right after a deploy).
 * Each interval reports its total time, its number of chunks and its longest chunk transaction
 * (the longest any lock on the mint or a wallet was held). Three intervals:
 *   (a) first: every chatter is new, so 50,000 wallets and 100,000 journal rows are created;
 *   (b) next: everyone has a wallet; the steady state a live channel sees every interval;
 *   (c) (b) again: the interval was credited already, so nothing may change.
 * One chatter in 20 chatted during each interval (bonus), and 1% were renamed before (b).
 */
import { sql } from 'drizzle-orm';
import type { ChatUser } from '../server/domain/actor.js';
import { resolveSettings } from '../server/domain/settings.js';
import { creditInterval, type IntervalCredit } from '../server/twitch/accrual-job.js';
import { arrayParam } from '../db/array-param.js';
import { audit, createWorld, viewer, type BenchWorld } from './support.js';

export interface AccrualInterval extends IntervalCredit {
  seconds: number;
}

export interface AccrualFigures {
  chatters: number;
  /** Viewers per chunk (undefined: the job's default). */
  chunkSize: number | undefined;
  first: AccrualInterval;
  steady: AccrualInterval;
  repeat: AccrualInterval;
  audit: string;
}

/** Marks every 20th chatter as having chatted at `at` (what `recordChatActivity` leaves behind), as setup. */
async function chatted(world: BenchWorld, chatters: readonly ChatUser[], at: Date): Promise<void> {
  const talkers = chatters.filter((_, i) => i % 20 === 0);
  const ids = arrayParam(talkers.map((u) => u.userId));
  await world.database.db.execute(sql`
    INSERT INTO users (user_id, login, display_name)
    SELECT * FROM unnest(${ids}::text[], ${arrayParam(talkers.map((u) => u.login))}::text[], ${arrayParam(talkers.map((u) => u.displayName))}::text[])
    ON CONFLICT (user_id) DO NOTHING`);
  await world.database.db.execute(sql`
    INSERT INTO chat_activity (channel_id, user_id, last_chat_at)
    SELECT ${world.channel.id}, id, ${at} FROM unnest(${ids}::text[]) AS id
    ON CONFLICT (channel_id, user_id) DO UPDATE SET last_chat_at = excluded.last_chat_at`);
}

export async function measureAccrual(chatters = 50_000, chunkSize?: number): Promise<AccrualFigures> {
  const world = await createWorld('bench_accrual');
  try {
    const settings = resolveSettings(world.channel.settings);
    const intervalMs = settings.accrual.intervalSeconds * 1000;
    const base = Math.floor(Date.now() / intervalMs) * intervalMs;

    async function credit(intervalStart: number, present: readonly ChatUser[]): Promise<AccrualInterval> {
      const started = performance.now();
      const result = await creditInterval(
        world.database.db,
        {
          channelId: world.channel.id,
          intervalStart: new Date(intervalStart),
          chattedSince: new Date(intervalStart),
          amount: settings.accrual.amount,
          chatBonus: settings.accrual.chatBonus,
          startingBalance: settings.startingBalance,
          viewers: present,
        },
        { chunkSize },
      );
      return { ...result, seconds: (performance.now() - started) / 1000 };
    }

    const present = Array.from({ length: chatters }, (_, i) => viewer(i));
    await chatted(world, present, new Date(base + 1000));
    const first = await credit(base, present);

    const next = base + intervalMs;
    const renamed = present.map((u, i) => (i % 100 === 50 ? { ...u, login: `${u.login}_new`, displayName: `${u.displayName}_new` } : u));
    await chatted(world, renamed, new Date(next + 1000));
    const steady = await credit(next, renamed);
    const repeat = await credit(next, renamed);
    return { chatters, chunkSize, first, steady, repeat, audit: await audit(world) };
  } finally {
    await world.close();
  }
}
