/**
 * `npx tsx bench/settlement-only.ts [--pledges=100000] [--analyze] [--seed=sql] [--batch=N] [--concurrency=N] [--trace]`
 * Just scenario (d) of the benchmark (refund and payout of big missions), printed as JSON, so a
 * settlement change can be measured without the storm. `--analyze` refreshes the planner
 * statistics after seeding; without it the tables are as autovacuum-less Postgres leaves them.
 * `--seed=sql` writes the same pledges set-based instead of through the pledge batcher;
 * `--batch` and `--concurrency` override the settlement defaults; `--trace` prints each batch
 * to stderr. The load averages at the end say how busy the (shared) machine was.
 */
import os from 'node:os';
import { measureSettlement } from './settlement.js';

function flag(name: string): number | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  const value = Number(arg.split('=')[1]);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

measureSettlement(flag('pledges') ?? 100_000, {
  analyze: process.argv.includes('--analyze'),
  seed: process.argv.includes('--seed=sql') ? 'sql' : 'batcher',
  batchSize: flag('batch'),
  concurrency: flag('concurrency'),
  trace: process.argv.includes('--trace') ? (line) => process.stderr.write(`${line}\n`) : undefined,
}).then(
  (figures) => process.stdout.write(`${JSON.stringify({ ...figures, loadAverage: os.loadavg() }, null, 2)}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
