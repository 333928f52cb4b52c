/**
 * `npm run bench [-- --duration=60 --rate=10000 --viewers=40000 --clients=2000 --naive=10 --pledges=100000 --chatters=50000]`
 * (`--only=accrual` runs just the accrual scenario and prints its figures; `--only=admission
 * [--burst=5000 --paced-rate=5000 --paced-seconds=4 --paced-viewers=20000]` just the admission pair.)
 * Runs the benchmark scenarios on this machine against real Postgres (127.0.0.1:5432) and Redis
 * (127.0.0.1:6379), each in a fresh database, and prints one table. A benchmark, not a test.
 */
import os from 'node:os';
import { measureAdmission, type AdmissionFigures } from './admission.js';
import { measureAccrual, type AccrualFigures } from './accrual.js';
import { dashboardRows, measureDashboard } from './dashboard.js';
import { measureBatchedService, measureNaive } from './naive.js';
import { measureSettlement } from './settlement.js';
import { measureStorm } from './storm.js';
import { fmt } from './support.js';

function flag(name: string, fallback: number, { allowZero = false } = {}): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.split('=')[1]) : fallback;
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

async function main(): Promise<void> {
  const durationS = flag('duration', 60);
  const warmupS = flag('warmup', 3, { allowZero: true });
  const rate = flag('rate', 10_000);
  const viewers = flag('viewers', 40_000);
  const clients = flag('clients', 2_000);
  const naiveS = flag('naive', 10);
  const pledges = flag('pledges', 100_000);
  const chatters = flag('chatters', 50_000);
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  // `--only=storm`: just the storm, with a per-second trace; `--profile`: the app child writes a
  // .cpuprofile into bench-profiles/ (read it with `npx tsx bench/profile-top.ts <file>`);
  // BENCH_CHILD_FLAGS: other node flags for the app child, e.g. "--trace-gc".
  if (process.argv.includes('--only=storm')) {
    const profile = process.argv.includes('--profile');
    const storm = await measureStorm({
      durationS,
      warmupS,
      rate,
      viewers,
      clients,
      trace: true,
      // `--servers=N`: the roles as separate processes (one bot, one worker, N servers).
      servers: process.argv.some((a) => a.startsWith('--servers=')) ? flag('servers', 1) : 0,
      childArgs: [
        ...(profile ? ['--cpu-prof', '--cpu-prof-dir=bench-profiles'] : []),
        ...(process.env.BENCH_CHILD_FLAGS?.split(' ').filter(Boolean) ?? []),
      ],
    });
    process.stdout.write(`${JSON.stringify(storm, null, 2)}\n`);
    return;
  }
  if (process.argv.includes('--only=dashboard')) {
    const dashboard = await measureDashboard({ stormSeconds: flag('dashboard-storm', 5), rate: flag('dashboard-rate', 2_000) });
    const lines = ['| figure | value | target |', '|---|---|---|', ...dashboardRows(dashboard).map(([f, v, t]) => `| ${f} | ${v} | ${t} |`)];
    process.stdout.write(`${JSON.stringify(dashboard, null, 2)}\n${lines.join('\n')}\n`);
    return;
  }
  const admissionOptions = {
    burst: flag('burst', 5_000),
    rate: flag('paced-rate', 5_000),
    seconds: flag('paced-seconds', 4),
    viewers: flag('paced-viewers', 20_000),
  };
  if (process.argv.includes('--only=admission')) {
    const admission = await measureAdmission(admissionOptions);
    process.stdout.write(`${JSON.stringify(admission, null, 2)}\n${admissionRows(admission).map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
    return;
  }
  if (process.argv.includes('--only=accrual')) {
    const accrual = await measureAccrual(chatters);
    process.stdout.write(`${JSON.stringify(accrual, null, 2)}\n| ${accrualRow(accrual).join(' | ')} |\n`);
    return;
  }

  log(`storm: ${rate}/s for ${durationS} s, ${viewers} viewers, ${clients} overlay clients`);
  const storm = await measureStorm({ durationS, warmupS, rate, viewers, clients });
  log(`naive baseline and batched service, ${naiveS} s each`);
  const naive = await measureNaive(naiveS * 1000);
  const batched = await measureBatchedService(naiveS * 1000);
  log(`settlement of ${pledges} pledges`);
  const settle = await measureSettlement(pledges);
  log(`watch-time accrual for ${chatters} chatters`);
  const accrual = await measureAccrual(chatters);
  log(`admission: cold-start burst of ${admissionOptions.burst} lines; ${admissionOptions.rate}/s paced for ${admissionOptions.seconds} s`);
  const admission = await measureAdmission(admissionOptions);
  log('dashboard: bundle size, board interactive time, 50 missions under a 2,000/s storm');
  const dashboard = await measureDashboard({ stormSeconds: flag('dashboard-storm', 5), rate: flag('dashboard-rate', 2_000) });

  const rows: [string, string, string][] = [
    ['sustained pledges/s, chat line → committed (sim → tmi.js → bot → batcher; viewers credited by one accrual interval first)', `${fmt(storm.committedPerSecond)} (sent ${fmt(storm.sentPerSecond)}/s for ${durationS} s; ${fmt(storm.committedTotal)} of ${fmt(storm.sent)} committed${storm.refused === undefined ? '' : `, ${fmt(storm.refused)} refused (OVERLOADED)`}, drained ${fmt(storm.drainS, 1)} s after)`, '≥ 10,000 (stretch 20,000) for 60 s'],
    [
      'warm-up before the storm (same rate, other viewers and mission; in no other figure)',
      storm.warmup
        ? `${storm.warmup.seconds} s: ${fmt(storm.warmup.committed)} of ${fmt(storm.warmup.sent)} committed${storm.warmup.refused === undefined ? '' : `, ${fmt(storm.warmup.refused)} refused`}`
        : 'none',
      'info',
    ],
    ['chat line → overlay update, p50 / p99', `${fmt(storm.p50Ms)} / ${fmt(storm.p99Ms)} ms (${storm.probesShown}/${storm.probes} probes shown)`, 'p99 ≤ 150 ms'],
    [
      "the same, split at its batch's start: line → batch begins; batch begins → shown (p50 / p99)",
      `${fmt(storm.split.toBatch.p50Ms)} / ${fmt(storm.split.toBatch.p99Ms)} ms; ${fmt(storm.split.batchToShown.p50Ms)} / ${fmt(storm.split.batchToShown.p99Ms)} ms`,
      'info',
    ],
    ['naive: one tx per pledge, escrow hot row + mission re-read (16 callers)', `${fmt(naive.perSecond)}/s, p99 ${fmt(naive.p99Ms)} ms, audit ${naive.audit}`, 'baseline'],
    ['ratio end-to-end batched / naive (same run)', `${fmt(storm.committedPerSecond / naive.perSecond, 1)}×`, '≥ 10×'],
    ['batched at the service level (2,000 callers, no chat)', `${fmt(batched.perSecond)}/s, p99 ${fmt(batched.p99Ms)} ms, audit ${batched.audit}`, 'info'],
    [`refund of a ${fmt(pledges)}-pledge mission`, `${fmt(settle.refund.seconds, 2)} s, ${settle.refund.batches} batches, longest tx ${fmt(settle.refund.maxBatchMs)} ms`, '≤ 2 s, no lock > 150 ms'],
    [`success payout of a ${fmt(pledges)}-pledge mission`, `${fmt(settle.payout.seconds, 2)} s, longest tx ${fmt(settle.payout.maxBatchMs)} ms`, '≤ 1 s'],
    ['seeding those pledges through the batcher (service level)', `${fmt(settle.seedPerSecond)}/s`, 'info'],
    accrualRow(accrual),
    ...admissionRows(admission),
    ['overlay clients on one channel during the storm', `${storm.clientsConnected} connected, ${storm.clientsDropped} dropped`, '2,000, none dropped'],
    ['RSS of the all-in-one process during the storm (max)', `${fmt(storm.maxRssMb)} MB`, '≤ 250 MB'],
    ['CPU per 1,000 committed pledges during the storm: app / Postgres / bench (simulator, overlays); machine busy', `${fmt(storm.cpuMsPer1000.app)} / ${fmt(storm.cpuMsPer1000.postgres)} / ${fmt(storm.cpuMsPer1000.bench)} ms; ${fmt(storm.machineBusyPercent)} %`, 'info'],
    ...dashboardRows(dashboard),
    ['ledger audit after every scenario', `storm ${storm.audit}, naive ${naive.audit}, batched ${batched.audit}, refund ${settle.refund.audit}, payout ${settle.payout.audit}, admission ${admission.audit}`, 'ok'],
  ];
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}`;
  const date = new Date().toISOString();
  const lines = [
    `machine: ${machine}`,
    `date: ${date}`,
    `command: npm run bench -- --duration=${durationS} --warmup=${warmupS} --rate=${rate} --viewers=${viewers} --clients=${clients} --naive=${naiveS} --pledges=${pledges} --chatters=${chatters} --burst=${admissionOptions.burst} --paced-rate=${admissionOptions.rate} --paced-seconds=${admissionOptions.seconds} --paced-viewers=${admissionOptions.viewers}`,
    '',
    '| figure | value | target |',
    '|---|---|---|',
    ...rows.map(([f, v, t]) => `| ${f} | ${v} | ${t} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Refusals are the figure held to the target: a service that keeps pace refuses nothing. */
function admissionRows(a: AdmissionFigures): [string, string, string][] {
  const refusedBy = (by: Record<string, number>) => {
    const parts = Object.entries(by).map(([reason, n]) => `${reason} ${fmt(n)}`);
    return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
  };
  const { coldBurst: c, paced: p } = a;
  return [
    [
      `cold start: a burst of ${fmt(c.sent)} pledge lines right after start-up`,
      `${fmt(c.refused)} refused${refusedBy(c.refusedBy)}, ${fmt(c.committed)} committed; last line → last commit ${fmt(c.lastLineToLastCommitMs)} ms`,
      '0 refused',
    ],
    [
      `warm: ${fmt(p.rate)} lines/s for ${p.seconds} s (${fmt(p.viewers)} viewers; after a warm-up of ${fmt(a.warmup.sent)} lines, ${fmt(a.warmup.refused)} refused${refusedBy(a.warmup.refusedBy)})`,
      `${fmt(p.refused)} refused${refusedBy(p.refusedBy)}, ${fmt(p.committed)} of ${fmt(p.sent)} committed; last line → last commit ${fmt(p.lastLineToLastCommitMs)} ms`,
      '0 refused',
    ],
  ];
}

/** The steady-state interval is the figure held to the target; the first and the repeat are shown beside it. */
function accrualRow(a: AccrualFigures): [string, string, string] {
  return [
    `watch-time accrual for ${fmt(a.chatters)} chatters (one interval, in chunk transactions)`,
    `${fmt(a.steady.seconds, 2)} s with wallets in place (${fmt(a.steady.credited)} credited, ${a.steady.chunks} chunks, longest tx ${fmt(a.steady.longestChunkMs)} ms); first interval ${fmt(a.first.seconds, 2)} s (${fmt(a.first.newWallets)} new wallets, longest tx ${fmt(a.first.longestChunkMs)} ms); repeated interval ${fmt(a.repeat.seconds, 2)} s (${fmt(a.repeat.credited)} credited); audit ${a.audit}`,
    '≤ 2 s, no lock > 150 ms',
  ];
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
