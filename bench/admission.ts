/**
 * Admission under load the service can carry: does the batcher refuse pledges (OVERLOADED, "Too
 * many pledges at once") that it would have committed in time? Two scenarios against one freshly
 * started all-in-one app (`npm run serve`'s command), real Postgres and Redis, chat through the
 * simulator and the bot's real tmi.js:
 *
 * - cold burst: right after start-up (bot joined, nothing pledged yet), `burst` lines from as many
 *   viewers, sent at once;
 * - paced: after a warm-up (`warmupS` at `rate` by other viewers on another mission, drained),
 *   `rate` lines per second for `seconds`, from `viewers` viewers in rotation.
 *
 * Each reports lines sent, pledges committed, refusals (by reason when the app labels them) and the
 * time from the last line sent to the last commit, read by polling the mission's escrow every 10 ms
 * (so up to ~10 ms late): a service that keeps pace commits its last pledge shortly after the last
 * line, and any refusal then was unnecessary.
 */
import { sql } from 'drizzle-orm';
import { startChatSimulator } from '../infra/chat-sim/index.js';
import { BOT, batcherCounters, creditWatchers, refusedByReason, sendLines, sleep, spawnApp, stopApp, waitHealthy } from './app-child.js';
import { audit, createWorld, openMission, type BenchWorld } from './support.js';

export interface AdmissionOptions {
  /** Lines of the cold-start burst. Default 5,000. */
  burst?: number;
  /** Lines per second of the paced scenario. Default 5,000. */
  rate?: number;
  /** Seconds of the paced scenario. Default 4. */
  seconds?: number;
  /** Viewers of the paced scenario (each pledges once at the defaults). Default 20,000. */
  viewers?: number;
  /** Warm-up before the paced scenario, at `rate`. Default 3 s. */
  warmupS?: number;
}

export interface ScenarioFigures {
  sent: number;
  committed: number;
  refused: number;
  refusedBy: Record<string, number>;
  /** Last line sent → the escrow showed its final balance. */
  lastLineToLastCommitMs: number;
  /** First line sent → the escrow showed its final balance. */
  firstLineToLastCommitMs: number;
}

export interface AdmissionFigures {
  coldBurst: ScenarioFigures;
  warmup: { sent: number; committed: number; refused: number; refusedBy: Record<string, number> };
  paced: ScenarioFigures & { rate: number; seconds: number; viewers: number };
  audit: string;
}

/** Escrow balance in pledges of 10 (the proposer's stake of 10 left out). */
async function escrowAccount(world: BenchWorld, missionId: number): Promise<() => Promise<number>> {
  const r = await world.database.db.execute(sql`SELECT id FROM accounts WHERE kind = 'escrow' AND mission_id = ${missionId}`);
  const id = Number((r.rows[0] as { id: number }).id);
  return async () => {
    const b = await world.database.db.execute(sql`SELECT balance FROM accounts WHERE id = ${id}`);
    return (Number((b.rows[0] as { balance: number }).balance) - 10) / 10;
  };
}

/** Polls every 10 ms until the value has not moved for 3 s (at most 60 s); when it last moved. */
async function lastChange(read: () => Promise<number>): Promise<{ value: number; at: number }> {
  const started = performance.now();
  let value = await read();
  let at = performance.now();
  while (performance.now() - at < 3_000 && performance.now() - started < 60_000) {
    await sleep(10);
    const now = await read();
    if (now !== value) {
      value = now;
      at = performance.now();
    }
  }
  return { value, at };
}

export async function measureAdmission(options: AdmissionOptions = {}): Promise<AdmissionFigures> {
  const burst = options.burst ?? 5_000;
  const rate = options.rate ?? 5_000;
  const seconds = options.seconds ?? 4;
  const viewers = options.viewers ?? 20_000;
  const warmupS = options.warmupS ?? 3;
  const warmViewers = Math.ceil(rate * 2.5);
  const world = await createWorld('bench_admission');
  const sim = await startChatSimulator();
  sim.setBroadcaster(world.channel.login, world.channel.login);
  const coldMission = await openMission(world, 'Cold burst');
  const warmMission = await openMission(world, 'Warm-up');
  const pacedMission = await openMission(world, 'Paced');
  await creditWatchers(world, sim, [
    ...Array.from({ length: burst }, (_, i) => `c${i}`),
    ...Array.from({ length: warmViewers }, (_, i) => `w${i}`),
    ...Array.from({ length: viewers }, (_, i) => `p${i}`),
  ]);
  const app = await spawnApp(world, sim, 'all');
  try {
    await waitHealthy(app.url, app.child);
    await sim.waitForJoin(world.channel.login, { login: BOT, timeoutMs: 20_000 });
    const refusals = async () => ({ total: (await batcherCounters(app.url)).refused, by: await refusedByReason(app.url) });
    const diff = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]).filter(([, v]) => v !== 0));

    // Cold burst: every line written to the bot's socket in one go.
    const r0 = await refusals();
    const coldEscrow = await escrowAccount(world, coldMission.id);
    const burstStart = performance.now();
    for (let i = 0; i < burst; i++) sim.say(world.channel.login, `c${i}`, `!pledge ${coldMission.number} 10`);
    const burstEnd = performance.now();
    const cold = await lastChange(coldEscrow);
    const r1 = await refusals();

    // Warm-up, then the paced storm.
    const warmEscrow = await escrowAccount(world, warmMission.id);
    const { sent: warmSent } = await sendLines(rate, warmupS, (i) => sim.say(world.channel.login, `w${i % warmViewers}`, `!pledge ${warmMission.number} 10`));
    const warm = await lastChange(warmEscrow);
    const r2 = await refusals();
    const pacedEscrow = await escrowAccount(world, pacedMission.id);
    const pacedStart = performance.now();
    let lastLine = pacedStart;
    const { sent } = await sendLines(rate, seconds, (i) => {
      sim.say(world.channel.login, `p${i % viewers}`, `!pledge ${pacedMission.number} 10`);
      lastLine = performance.now();
    });
    const paced = await lastChange(pacedEscrow);
    const r3 = await refusals();
    return {
      coldBurst: {
        sent: burst,
        committed: cold.value,
        refused: r1.total - r0.total,
        refusedBy: diff(r0.by, r1.by),
        lastLineToLastCommitMs: cold.at - burstEnd,
        firstLineToLastCommitMs: cold.at - burstStart,
      },
      warmup: { sent: warmSent, committed: warm.value, refused: r2.total - r1.total, refusedBy: diff(r1.by, r2.by) },
      paced: {
        rate,
        seconds,
        viewers,
        sent,
        committed: paced.value,
        refused: r3.total - r2.total,
        refusedBy: diff(r2.by, r3.by),
        lastLineToLastCommitMs: paced.at - lastLine,
        firstLineToLastCommitMs: paced.at - pacedStart,
      },
      audit: await audit(world),
    };
  } finally {
    await stopApp(app.child);
    await sim.close();
    await world.close();
  }
}
