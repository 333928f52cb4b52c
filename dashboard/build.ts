/**
 * Builds the dashboard into dashboard/dist. `--if-stale` builds only when the bundle is missing or
 * older than any of its sources, so `npm start` on a fresh clone serves a bundle without a manual
 * step and later starts cost nothing. Also used by the test suite's global setup.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
export const DASHBOARD_DIST = join(root, 'dist');
const stamp = join(DASHBOARD_DIST, 'index.html');

function newestSource(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestSource(join(path, entry)));
  return newest;
}

/** True when dist/index.html is missing or older than a source file, the config or the lockfile. */
export function dashboardIsStale(): boolean {
  if (!existsSync(stamp)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json', '../package-lock.json'].map((p) => join(root, p));
  const newest = Math.max(...sources.filter((p) => existsSync(p)).map(newestSource));
  return newest > statSync(stamp).mtimeMs;
}

export async function buildDashboard(): Promise<void> {
  // Loaded lazily: a production install without dev dependencies serves a bundle built earlier.
  const { build } = await import('vite');
  await build({ configFile: join(root, 'vite.config.ts') });
}

export async function ensureDashboardBuilt(): Promise<boolean> {
  if (!dashboardIsStale()) return false;
  await buildDashboard();
  return true;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  const ifStale = process.argv.includes('--if-stale');
  const run = ifStale ? ensureDashboardBuilt() : buildDashboard().then(() => true);
  run
    .then((built) => {
      if (built) process.stdout.write(`dashboard built into ${DASHBOARD_DIST}\n`);
    })
    .catch((err: unknown) => {
      if (ifStale && existsSync(stamp)) {
        process.stderr.write(`dashboard rebuild skipped (${err instanceof Error ? err.message : String(err)}); serving the existing bundle\n`);
        return;
      }
      process.stderr.write(`dashboard build failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
