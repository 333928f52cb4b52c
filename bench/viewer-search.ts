/**
 * `npx tsx bench/viewer-search.ts [--viewers=100000] [--plans]`: the dashboard's viewer search on a
 * channel of that many viewers (a fifth with Korean display names; a second channel shares some
 * users, so the users table is bigger than the channel), in a fresh database. Prints, for a few
 * prefixes, the median time of a first page and of the page after it, and with `--plans` the
 * EXPLAIN ANALYZE of every query a first page runs. Then the leaderboard for comparison. A
 * benchmark, not a test.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { getSystemAccounts } from '../server/ledger/accounts.js';
import { searchChannelViewers } from '../server/repositories/viewer-reads-repository.js';
import { searchViewers } from '../server/services/viewer-reads.js';
import { audit, createWorld, fmt, percentile, type BenchWorld } from './support.js';

const RUNS = 15;
const arg = process.argv.find((a) => a.startsWith('--viewers='));
const VIEWERS = arg ? Number(arg.split('=')[1]) : 100_000;
const PREFIXES = ['', 'a', 'ab', 'abc', 'Abcd', '김', '김치', 'zzzz'];

/** Logins from a fixed pseudo-random spread of letters; every fifth display name is three Hangul syllables. */
async function seed(world: BenchWorld, count: number): Promise<void> {
  const channelId = world.channel.id;
  await world.services.channels.create({ login: 'otherbench' });
  const other = (await world.services.channels.get('otherbench')).id;
  await world.database.db.transaction(async (tx) => {
    const users = sql`generate_series(1, ${count + count / 5}::int) g`;
    const letters = sql`translate(substr(md5(g::text), 1, 10), '0123456789', 'ghijklmnop')`;
    const hangul = (factor: number) => sql`chr((44032 + (g::bigint * ${factor}) % 11172)::int)`;
    await tx.execute(sql`
      INSERT INTO users (user_id, login, display_name)
      SELECT 'u' || g, ${letters} || '_' || g,
             CASE WHEN g % 5 = 0 THEN ${hangul(7919)} || ${hangul(104729)} || ${hangul(31)} ELSE initcap(${letters}) || '_' || g END
      FROM ${users}`);
    for (const [channel, from, to] of [[channelId, 1, count], [other, Math.floor(count * 0.8), Math.floor(count * 1.2)]] as const) {
      const { mint } = await getSystemAccounts(tx, channel);
      const range = sql`generate_series(${from}::int, ${to}::int) g`;
      await tx.execute(sql`INSERT INTO accounts (channel_id, kind, user_id, balance) SELECT ${channel}, 'wallet', 'u' || g, (g * 37) % 5000 FROM ${range}`);
      await tx.execute(sql`
        INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
        SELECT ${channel}, ${mint}, w.id, w.balance, 'starting_balance', 'seed'
        FROM accounts w WHERE w.channel_id = ${channel} AND w.kind = 'wallet' AND w.balance > 0`);
      await tx.execute(sql`
        UPDATE accounts SET balance = -(SELECT sum(balance) FROM accounts WHERE channel_id = ${channel} AND kind = 'wallet')
        WHERE id = ${mint}`);
    }
  });
  await world.database.db.execute(sql`ANALYZE`);
}

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

/** Runs what a first page runs, each statement under EXPLAIN ANALYZE, and prints the plans. */
async function printPlans(db: Executor, channelId: number, prefix: string): Promise<void> {
  const explaining = {
    execute: async (query: SQL) => {
      const result = await db.execute(sql`EXPLAIN (ANALYZE, BUFFERS) ${query}`);
      process.stdout.write(`${(result.rows as Array<Record<string, string>>).map((r) => `    ${r['QUERY PLAN']}`).join('\n')}\n`);
      return { rows: [] };
    },
  } as unknown as Executor;
  process.stdout.write(`\n  q=${JSON.stringify(prefix)} (an explained statement returns no rows, so the display-name phase is always shown)\n`);
  await searchChannelViewers(explaining, channelId, { prefix, limit: 21 });
}

async function main(): Promise<void> {
  const world = await createWorld('viewer_search');
  try {
    const started = performance.now();
    await seed(world, VIEWERS);
    process.stderr.write(`[bench] seeded ${fmt(VIEWERS)} viewers in ${fmt((performance.now() - started) / 1000, 1)} s\n`);
    const db = world.database.db;
    const lines = ['| q | first page | its results | next page |', '|---|---|---|---|'];
    for (const q of PREFIXES) {
      const first = await searchViewers(db, world.channel, { q, limit: 20 });
      const firstMs = await median(() => searchViewers(db, world.channel, { q, limit: 20 }));
      const nextMs = first.nextCursor
        ? await median(() => searchViewers(db, world.channel, { q, cursor: first.nextCursor!, limit: 20 }))
        : NaN;
      lines.push(`| ${JSON.stringify(q)} | ${fmt(firstMs, 2)} ms | ${first.items.length}${first.nextCursor ? '+' : ''} | ${fmt(nextMs, 2)} ms |`);
    }
    const board = await median(() => world.services.viewers.leaderboard(world.channel, 25));
    lines.push('', `leaderboard (top 25 of ${fmt(VIEWERS)}, not indexed: an index on balances would end their heap-only updates): ${fmt(board, 1)} ms`);
    process.stdout.write(`${lines.join('\n')}\n(median of ${RUNS} runs each, in process, warm cache)\n`);
    if (process.argv.includes('--plans')) for (const q of PREFIXES) await printPlans(db, world.channel.id, q);
    process.stdout.write(`\nledger audit: ${await audit(world)}\n`);
  } finally {
    await world.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
