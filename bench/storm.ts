/**
 * Scenarios (a), (b), (e), (f): a pledge storm end to end. The all-in-one process (server, worker,
 * bot) runs as a child (`npm run serve`'s command, role `all`) so its RSS is its own; this process
 * plays Twitch (the chat simulator, real IRC over websockets to the bot's real tmi.js) and the
 * OBS overlays (2,000 websocket clients on one channel). The viewers have wallets and points from
 * an accrual interval before the storm. Probe pledges on a second mission measure chat line →
 * overlay update latency: a probe counts as shown when a `pledge` message for that mission carries
 * a pot that includes it.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { Worker } from 'node:worker_threads';
import { startChatSimulator } from '../infra/chat-sim/index.js';
import { BOT, batcherCounters, creditWatchers, drain, sendLines, spawnApp, stopApp, waitHealthy } from './app-child.js';
import { audit, createWorld, openMission, percentile, type BenchWorld } from './support.js';

export interface StormOptions {
  durationS: number;
  rate: number;
  viewers: number;
  clients: number;
  /** Extra node flags for the app child (e.g. `--cpu-prof`), and env (temporary diagnostics). */
  childArgs?: string[];
  childEnv?: Record<string, string>;
  /**
   * Seconds of the same storm before the measured one, by other viewers on another mission
   * (default 3; 0: none). A freshly started process runs its first second cold (JIT, plan and
   * catalog caches): batches of 500 took 100–280 ms instead of ~40, and that second alone decided
   * a 60 s run's p99. A bot that has been live for hours is past it; the warm-up viewers are not
   * the storm's, so the storm's viewers are still new to the bot's user cache.
   */
  warmupS?: number;
  /** Prints committed/s and the simulator's connection count every second (stderr). */
  trace?: boolean;
  /**
   * 0 (default): the all-in-one process. N ≥ 1: the roles in separate processes, as deployed past
   * one machine: one bot, one worker and N servers (overlay clients spread over them), events
   * through Redis.
   */
  servers?: number;
}

export interface StormFigures {
  sentPerSecond: number;
  committedPerSecond: number;
  committedTotal: number;
  sent: number;
  drainS: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * The same probes split at their batch's start (`pledges.created_at`, the transaction's start on
   * Postgres's clock, the same machine's): chat line → batch begins (simulator, tmi.js, bot, the
   * batcher's queue), and batch begins → shown (the batch, the event bus, the coalescer's tick,
   * the writes to every socket, the last client's read).
   */
  split: { toBatch: { p50Ms: number; p99Ms: number }; batchToShown: { p50Ms: number; p99Ms: number } };
  probes: number;
  probesShown: number;
  clientsConnected: number;
  clientsDropped: number;
  maxRssMb: number;
  /**
   * CPU time while the storm was sent, in ms per 1,000 committed pledges: the app's processes,
   * Postgres (all its processes) and this bench process (chat simulator and overlay clients).
   * Steadier than pledges/s for comparing two builds on a shared machine.
   */
  cpuMsPer1000: { app: number; postgres: number; bench: number };
  /** Machine CPU busy while the storm was sent (both cores: 100 % = 2 cores). */
  machineBusyPercent: number;
  /**
   * Storm pledges per batch transaction (a transaction's rows share `created_at`, its start time):
   * how far the micro-batcher grouped them under this load.
   */
  pledgesPerTransaction: number;
  /**
   * Mean wall time of a storm window's pledge batches (dequeued → committed → callers answered),
   * from the app's `/metrics`; all-in-one only (split roles: the bot process holds the batcher).
   */
  meanBatchMs?: number;
  /** Storm and probe lines the batcher refused at once (OVERLOADED), from `/metrics`; all-in-one only. */
  refused?: number;
  /** The warm-up before the measured storm (not in any other figure). */
  warmup?: { seconds: number; sent: number; committed: number; refused?: number };
  /** Split topology: the largest RSS of each process kind. */
  rssByRole?: Record<string, number>;
  audit: string;
}



async function pledgesPerTransaction(world: BenchWorld, missionId: number): Promise<number> {
  const r = await world.database.db.execute(sql`
    SELECT count(*)::float8 / greatest(1, count(DISTINCT created_at)) AS n FROM pledges WHERE mission_id = ${missionId}`);
  return Number((r.rows[0] as { n: number }).n);
}



function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** USER_HZ: 100 on every Linux this bench runs on (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** CPU seconds of every Postgres process (backends, WAL writer, checkpointer...). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  return { busy: total - cpu[3]! - cpu[4]!, total };
}

function cpuSnapshot(pids: readonly number[]) {
  const own = process.cpuUsage();
  return {
    app: pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    postgres: postgresCpuSeconds(),
    bench: (own.user + own.system) / 1e6,
    machine: machineJiffies(),
  };
}


/** One committed probe's times (ms since the epoch): sent by the simulator, its batch began, shown. */
interface ProbeTimes {
  sent: number;
  batchAt: number;
  shown: number;
}

/**
 * Chat → overlay times of each committed probe. Probe i pledges 10 + i points, so a committed
 * probe is known by its amount whoever sent it, and it counts as shown once an overlay update
 * carries a pot of at least every pledge up to and including it (pledge id order; refused probes
 * never enter the pot). With two writers a later batch can commit first, which can only make a
 * probe look later than it was (conservative).
 */
async function committedProbeTimes(world: BenchWorld, missionId: number, sentAt: readonly number[], pots: readonly { t: number; pot: number }[]): Promise<ProbeTimes[]> {
  const r = await world.database.db.execute(sql`
    SELECT p.amount, u.login, extract(epoch FROM p.created_at)::float8 * 1000 AS batch_at
    FROM pledges p JOIN users u ON u.user_id = p.user_id WHERE p.mission_id = ${missionId} ORDER BY p.id`);
  const times: ProbeTimes[] = [];
  let potThen = 0;
  let next = 0;
  for (const row of r.rows as { amount: number | string; login: string; batch_at: number }[]) {
    potThen += Number(row.amount);
    if (!row.login.startsWith('probe')) continue;
    while (next < pots.length && pots[next]!.pot < potThen) next++;
    const sent = sentAt[Number(row.amount) - 10];
    if (next < pots.length && sent !== undefined) times.push({ sent, batchAt: row.batch_at, shown: pots[next]!.t });
  }
  return times;
}


const nextMessage = (worker: Worker): Promise<unknown> =>
  new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });

/** Probe senders: each pledges every PROBE_VIEWERS × 50 ms, above the bot's per-viewer cooldown. */
const PROBE_VIEWERS = 100;




export async function measureStorm(options: StormOptions): Promise<StormFigures> {
  const world = await createWorld('bench_storm');
  const sim = await startChatSimulator();
  sim.setBroadcaster(world.channel.login, world.channel.login);
  const storm = await openMission(world, 'Storm target');
  const probe = await openMission(world, 'Probe target');
  const probeLogin = (i: number) => `probe${i % PROBE_VIEWERS}`;
  const warmupS = options.warmupS ?? 3;
  const warm = warmupS > 0 ? await openMission(world, 'Warm-up target') : null;
  // Enough warm-up viewers that each pledges at most every 2.5 s (the bot's cooldown is 2 s).
  const warmViewers = warm ? Math.ceil(options.rate * 2.5) : 0;
  await creditWatchers(world, sim, [
    ...Array.from({ length: options.viewers }, (_, i) => `v${i}`),
    ...Array.from({ length: PROBE_VIEWERS }, (_, i) => probeLogin(i)),
    ...Array.from({ length: warmViewers }, (_, i) => `w${i}`),
  ]);
  const servers = options.servers ?? 0;
  const roles = servers === 0 ? ['all'] : ['bot', 'worker', ...Array.from({ length: servers }, () => 'server')];
  const children: { role: string; child: ChildProcess; url: string }[] = [];
  for (const role of roles) children.push(await spawnApp(world, sim, role, options));
  const webs = children.filter((c) => c.role === 'all' || c.role === 'server');
  const child = children.find((c) => c.role === 'all' || c.role === 'bot')!.child;
  let overlays: Worker | null = null;
  try {
    for (const c of children) if (c.role !== 'worker' && c.role !== 'bot') await waitHealthy(c.url, c.child);
    await sim.waitForJoin(world.channel.login, { login: BOT, timeoutMs: 20_000 });

    // (e) the overlays, all connected before the storm, spread over the server processes.
    const key = encodeURIComponent(world.channel.overlayKey);
    const wsUrlOf = (i: number) => `${webs[i % webs.length]!.url.replace('http', 'ws')}/ws/overlay/${world.channel.login}?key=${key}`;
    const probeSent: number[] = [];
    overlays = new Worker(new URL('./overlay-clients.mjs', import.meta.url), {
      workerData: { urls: Array.from({ length: options.clients }, (_, i) => wsUrlOf(i)), probeMission: probe.number },
    });
    const ready = (await nextMessage(overlays)) as { connected: number };
    const connected = ready.connected;

    const escrowPledges = async (missionId: number) => {
      const r = await world.database.db.execute(sql`SELECT balance FROM accounts WHERE kind = 'escrow' AND mission_id = ${missionId}`);
      // Every storm and warm-up pledge is 10 points; the creator's stake is 10.
      return (Number((r.rows[0] as { balance: number }).balance) - 10) / 10;
    };
    let maxRss = 0;
    const rssByRole: Record<string, number> = {};
    const rssTimer = setInterval(() => {
      for (const c of children) {
        const rss = rssMb(c.child.pid!) || 0;
        maxRss = Math.max(maxRss, rss);
        rssByRole[c.role] = Math.max(rssByRole[c.role] ?? 0, rss);
      }
    }, 250);
    let sent = 0;
    let traced = -1;
    let tracked = warm?.id ?? storm.id;
    const traceTimer = options.trace
      ? setInterval(() => {
          void escrowPledges(tracked).then((c) => {
            if (traced >= 0 && c >= traced) process.stderr.write(`[storm] +${c - traced} committed/s, sent ${sent}, sim connections ${sim.connectionCount()}, rss ${Math.round(rssMb(child.pid!))} MB\n`);
            traced = c;
          });
        }, 1000)
      : null;
    const counters = () => (servers === 0 ? batcherCounters(webs[0]!.url) : Promise.resolve(undefined));

    // Warm-up: the same storm by other viewers on another mission, then its drain.
    let warmup: StormFigures['warmup'];
    if (warm) {
      const w0 = await counters();
      const { sent: warmSent } = await sendLines(options.rate, warmupS, (i) => {
        sim.say(world.channel.login, `w${i % warmViewers}`, `!pledge ${warm.number} 10`);
        sent++;
      });
      const { last } = await drain(() => escrowPledges(warm.id));
      const w1 = await counters();
      warmup = { seconds: warmupS, sent: warmSent, committed: last, ...(w0 && w1 ? { refused: w1.refused - w0.refused } : {}) };
      sent = 0;
      traced = -1;
      tracked = storm.id;
    }

    // (a) the storm: `rate` lines per second in 10 ms ticks, viewers in rotation (each under the
    // bot's 2 s per-viewer cooldown); (b) a probe every 50 ms on the second mission.
    let probes = 0;
    const before = await counters();
    const c0 = await escrowPledges(storm.id);
    const appPids = children.map((c) => c.child.pid!);
    const cpu0 = cpuSnapshot(appPids);
    let nextProbe = performance.now();
    const { seconds: sendSeconds } = await sendLines(
      options.rate,
      options.durationS,
      (i) => {
        sim.say(world.channel.login, `v${i % options.viewers}`, `!pledge ${storm.number} 10`);
        sent++;
      },
      () => {
        if (performance.now() < nextProbe) return;
        probeSent.push(performance.timeOrigin + performance.now());
        sim.say(world.channel.login, probeLogin(probes), `!pledge ${probe.number} ${10 + probes}`);
        probes++;
        nextProbe += 50;
      },
    );
    const c1 = await escrowPledges(storm.id);
    const cpu1 = cpuSnapshot(appPids);
    const perThousand = (seconds: number) => (seconds * 1e6) / Math.max(1, c1 - c0);
    const { last, seconds: drainS } = await drain(() => escrowPledges(storm.id));
    const after = await counters();
    overlays.postMessage('stop');
    // Overlay pot updates of the probe mission; matched to committed probes after the drain, since
    // refused probes (OVERLOADED) never enter the pot and would skew a running count.
    const { dropped, probePots } = (await nextMessage(overlays)) as { dropped: number; probePots: { t: number; pot: number }[] };
    clearInterval(rssTimer);
    if (traceTimer) clearInterval(traceTimer);
    const times = await committedProbeTimes(world, probe.id, probeSent, probePots);
    const shown = times.length;
    const sortedBy = (pick: (l: ProbeTimes) => number) => times.map(pick).sort((a, b) => a - b);
    const sorted = sortedBy((l) => l.shown - l.sent);
    const toBatch = sortedBy((l) => l.batchAt - l.sent);
    const batchToShown = sortedBy((l) => l.shown - l.batchAt);
    return {
      sentPerSecond: sent / sendSeconds,
      committedPerSecond: (c1 - c0) / sendSeconds,
      committedTotal: last - c0,
      sent,
      drainS: Math.max(0, drainS),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      split: {
        toBatch: { p50Ms: percentile(toBatch, 50), p99Ms: percentile(toBatch, 99) },
        batchToShown: { p50Ms: percentile(batchToShown, 50), p99Ms: percentile(batchToShown, 99) },
      },
      probes,
      probesShown: shown,
      clientsConnected: connected,
      clientsDropped: dropped + (options.clients - connected),
      maxRssMb: maxRss,
      cpuMsPer1000: {
        app: perThousand(cpu1.app - cpu0.app),
        postgres: perThousand(cpu1.postgres - cpu0.postgres),
        bench: perThousand(cpu1.bench - cpu0.bench),
      },
      machineBusyPercent: (100 * (cpu1.machine.busy - cpu0.machine.busy)) / (cpu1.machine.total - cpu0.machine.total),
      pledgesPerTransaction: await pledgesPerTransaction(world, storm.id),
      ...(before && after
        ? { meanBatchMs: (1_000 * (after.batchSeconds - before.batchSeconds)) / (after.batches - before.batches), refused: after.refused - before.refused }
        : {}),
      ...(warmup ? { warmup } : {}),
      ...(servers > 0 ? { rssByRole } : {}),
      audit: await audit(world),
    };
  } finally {
    await overlays?.terminate();
    await Promise.all(children.map(({ child: c }) => stopApp(c)));
    await sim.close();
    await world.close();
  }
}
