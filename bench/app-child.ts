/**
 * What the chat scenarios share: the app as a child process (`npm run serve`'s command), its
 * batcher counters from `/metrics`, viewers credited the way a live channel's are, and lines sent
 * at a paced rate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { startChatSimulator } from '../infra/chat-sim/index.js';
import { creditInterval } from '../server/twitch/accrual-job.js';
import type { BenchWorld } from './support.js';

export type ChatSimulator = Awaited<ReturnType<typeof startChatSimulator>>;

/** Sum of every series of a counter (one per label set), or NaN when the counter is missing. */
function sumOf(text: string, name: string): number {
  const values = [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].map((m) => Number(m[1]));
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0);
}

/** Refusals by reason label (`backlog`, `behind`, `closing`); empty when the counter has no labels. */
export async function refusedByReason(appUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^mission_link_pledges_refused_total\{reason="([^"]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

export const BOT = 'benchbot';

/** The pledge batcher's counters in the app's /metrics (all-in-one only). */
export interface BatcherCounters {
  batchSeconds: number;
  batches: number;
  refused: number;
}

export async function batcherCounters(appUrl: string): Promise<BatcherCounters> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  const read = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    batchSeconds: read('mission_link_pledge_batch_duration_seconds_sum{result="ok"}'),
    batches: read('mission_link_pledge_batch_duration_seconds_count{result="ok"}'),
    refused: sumOf(text, 'mission_link_pledges_refused_total'),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('app did not become healthy');
}

/**
 * The app runs as production runs it: `npm run serve` (compiled JavaScript from `npm run build`,
 * with the node flags of that script), so its RSS is the deployed process's.
 */
export const SERVE_FLAGS: string[] = (() => {
  const serve = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.serve ?? '';
  const words = serve.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/server/main.js') throw new Error(`unexpected "serve" script: ${serve}`);
  return words.slice(1, -1);
})();

/**
 * The viewers have been watching: one accrual interval (the job's own `creditInterval`) opened
 * their wallets and credited them before the storm, as a live channel's chatters are. The credits
 * use the chat simulator's user ids, so the storm's pledges land on these wallets.
 */
export async function creditWatchers(world: BenchWorld, sim: ChatSimulator, logins: readonly string[]): Promise<void> {
  const viewers = logins.map((login) => sim.createViewer({ login }));
  const at = new Date();
  await creditInterval(world.database.db, {
    channelId: world.channel.id,
    intervalStart: new Date(at.getTime() - 60_000),
    chattedSince: at,
    // Probe i pledges 10 + i: enough for a probe viewer's share of a 60 s run at any rate.
    amount: 100_000,
    chatBonus: 0,
    startingBalance: world.channel.settings.startingBalance,
    viewers: viewers.map((v) => ({ userId: v.userId, login: v.login, displayName: v.displayName })),
  });
}

/**
 * Sends `rate` lines per second for `seconds`, in 10 ms ticks: `say(i)` sends the i-th line,
 * `everyTick` runs after each tick's lines. Returns the lines sent and the seconds it took.
 */
export async function sendLines(rate: number, seconds: number, say: (i: number) => void, everyTick?: () => void): Promise<{ sent: number; seconds: number }> {
  const perTick = rate / 100;
  let sent = 0;
  let carry = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  for (let tick = 0; performance.now() < end; tick++) {
    const wait = started + tick * 10 - performance.now();
    // Always yield: a sender that falls behind must still let the sockets flush.
    await (wait > 0 ? sleep(wait) : new Promise((resolve) => setImmediate(resolve)));
    for (carry += perTick; carry >= 1; carry--) say(sent++);
    everyTick?.();
  }
  return { sent, seconds: (performance.now() - started) / 1000 };
}

/**
 * Waits until `read()` has not moved for 3 s (one batch can take over a second on this shared
 * box; at most 60 s). Returns its last value and how long it kept moving.
 */
export async function drain(read: () => Promise<number>): Promise<{ last: number; seconds: number }> {
  const started = performance.now();
  let last = await read();
  for (let still = 0; still < 12 && performance.now() - started < 60_000; ) {
    await sleep(250);
    const now = await read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return { last, seconds: Math.max(0, (performance.now() - started) / 1000 - 3) };
}

/** Starts the app (`role`) as a child against the world's database, the simulator and local Redis. */
export async function spawnApp(
  world: BenchWorld,
  sim: ChatSimulator,
  role: string,
  options: { childArgs?: string[]; childEnv?: Record<string, string> } = {},
): Promise<{ role: string; child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVE_FLAGS, ...(options.childArgs ?? []), 'dist/server/main.js', role], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      DATABASE_URL: world.database.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      TWITCH_IRC_URL: sim.url,
      TWITCH_BOT_USERNAME: BOT,
      TWITCH_BOT_TOKEN: 'oauth:benchtoken',
      TWITCH_CHANNELS: world.channel.login,
      ...options.childEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { role, child, url: `http://127.0.0.1:${port}` };
}

/** SIGTERM, then waits for the exit. */
export function stopApp(child: ChildProcess): Promise<unknown> {
  child.kill('SIGTERM');
  return new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
}
