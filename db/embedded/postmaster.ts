/**
 * Runs one Postgres server process for the embedded database: initdb, start, find a running one
 * through its `postmaster.pid`, stop.
 *
 * The server is started in its own process group (detached): a Ctrl+C in the terminal signals
 * the whole foreground group, and Postgres answering it would cut the app's connections before
 * the app has closed them. The app stops the server itself, last, after its pools are closed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { EmbeddedSetupError, type Binaries, type RunAs } from './binaries.js';

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'postgres';

export interface PostmasterInfo {
  pid: number;
  port: number;
  /** `starting`, `ready`, `stopping` or `standby`, as Postgres writes it. */
  status: string;
}

export interface Cluster {
  binaries: Binaries;
  /** The Postgres data directory. */
  dataDir: string;
  /** Where the server's own log goes (the terminal stays for the app's lines). */
  logFile: string;
  runAs: RunAs | undefined;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running server's pid, port and status from `postmaster.pid`, or undefined when none runs. */
export function readPostmaster(dataDir: string): PostmasterInfo | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  return { pid, port, status: (lines[7] ?? '').trim() };
}

/** A pid file left by a killed run stops postmaster from starting; a live one is left alone. */
export function removeStalePidFile(dataDir: string): void {
  const file = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(file) && readPostmaster(dataDir) === undefined) fs.rmSync(file, { force: true });
}

export const urlFor = (port: number, database: string): string =>
  `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/${database}`;

/** Resolves once the server on `port` accepts a connection; `failed` rejects first if it dies. */
export async function waitUntilAccepting(port: number, failed: Promise<never>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stop = false;
  const poll = (async () => {
    while (!stop) {
      const client = new pg.Client({ connectionString: urlFor(port, 'postgres'), connectionTimeoutMillis: 2_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        if (Date.now() > deadline) throw new EmbeddedSetupError(`The embedded Postgres did not accept connections on port ${port} within ${timeoutMs / 1000} s`);
        await delay(100);
      }
    }
  })();
  try {
    await Promise.race([poll, failed]);
  } finally {
    stop = true;
  }
}

function tail(file: string, lines = 8): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Spawns a binary of the cluster as its user, with its output appended to the cluster's log. */
function spawnBinary(cluster: Cluster, file: string, args: string[], detached: boolean): ChildProcess {
  const log = fs.openSync(cluster.logFile, 'a');
  try {
    return spawn(file, args, {
      // The child enters `cwd` as the postgres user: the checkout may be private to root.
      cwd: path.dirname(cluster.logFile),
      detached,
      windowsHide: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(cluster.runAs ? { uid: cluster.runAs.uid, gid: cluster.runAs.gid } : {}),
    });
  } finally {
    fs.closeSync(log);
  }
}

/** A promise that rejects when the child fails to spawn or exits (it never resolves). */
function failureOf(child: ChildProcess, what: string, logFile: string): Promise<never> {
  return new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new EmbeddedSetupError(`Could not run ${what}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      const log = tail(logFile);
      reject(new EmbeddedSetupError(`${what} stopped (${signal ?? `exit code ${code}`}). Its log, ${logFile}:\n${log}`));
    });
  });
}

/** Creates the cluster (superuser `postgres`, password auth, UTF-8, no locale dependence). */
export async function initCluster(cluster: Cluster): Promise<void> {
  fs.mkdirSync(cluster.dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(cluster.logFile), `.pwfile-${randomBytes(6).toString('hex')}`);
  fs.writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
  if (cluster.runAs) {
    fs.chownSync(cluster.dataDir, cluster.runAs.uid, cluster.runAs.gid);
    fs.chownSync(pwfile, cluster.runAs.uid, cluster.runAs.gid);
  }
  try {
    const child = spawnBinary(
      cluster,
      cluster.binaries.initdb,
      [`--pgdata=${cluster.dataDir}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'],
      false,
    );
    const exit = new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) => reject(new EmbeddedSetupError(`Could not run initdb: ${err.message}`)));
      child.once('exit', (code) => resolve(code));
    });
    const code = await exit;
    if (code !== 0) throw new EmbeddedSetupError(`initdb failed (exit code ${code}). Its log, ${cluster.logFile}:\n${tail(cluster.logFile)}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

export interface StartedServer {
  pid: number;
  port: number;
  /** Rejects if the server dies; observed so an early death is an error, not a crash. */
  exited: Promise<void>;
}

/** Starts the server on `port` in its own process group and waits until it accepts connections. */
export async function startServer(cluster: Cluster, port: number): Promise<StartedServer> {
  removeStalePidFile(cluster.dataDir);
  const child = spawnBinary(
    cluster,
    cluster.binaries.postgres,
    ['-D', cluster.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    true,
  );
  const failed = failureOf(child, 'The embedded Postgres', cluster.logFile);
  failed.catch(() => undefined);
  await waitUntilAccepting(port, failed);
  // Not a reference for the event loop: the app decides when to stop it, and a forced exit
  // stops it through the exit hook.
  child.unref();
  const exited = once(child, 'exit').then(() => undefined);
  return { pid: child.pid!, port, exited };
}

/** Postgres's shutdown modes, gentlest first (see "Shutting Down the Server" in its manual). */
const MODES = [
  { mode: 'smart', signal: 'SIGTERM', waitMs: 5_000 },
  { mode: 'fast', signal: 'SIGINT', waitMs: 15_000 },
  { mode: 'immediate', signal: 'SIGQUIT', waitMs: 10_000 },
] as const;

/**
 * Asks the server to stop. On Windows there are no signals, so `pg_ctl stop` asks it. `sync` is for
 * process exit, where nothing can be awaited (then `fast`: open sessions are ended, data is safe).
 */
export function signalStop(cluster: Cluster, pid: number, mode: (typeof MODES)[number]['mode'] = 'fast', sync = false): Promise<void> | void {
  if (process.platform === 'win32') {
    const args = ['stop', '-D', cluster.dataDir, '-m', mode, '-W', '-s'];
    if (sync) {
      spawnSync(cluster.binaries.pgCtl, args, { windowsHide: true, stdio: 'ignore' });
      return;
    }
    return new Promise((resolve) => {
      const child = spawn(cluster.binaries.pgCtl, args, { windowsHide: true, stdio: 'ignore' });
      child.once('error', () => resolve());
      child.once('exit', () => resolve());
    });
  }
  try {
    process.kill(pid, MODES.find((m) => m.mode === mode)!.signal);
  } catch {
    // Already gone.
  }
}

/**
 * Stops the server with this pid and waits until it has exited. Smart shutdown first: it waits for
 * the app's last connections to finish closing (a pool's `end` resolves before its sockets are
 * gone), so no session is cut with "terminating connection due to administrator command"; a
 * session that stays (another tool) is then ended by fast shutdown.
 */
export async function stopServer(cluster: Cluster, pid: number): Promise<void> {
  for (const { mode, waitMs } of MODES) {
    await signalStop(cluster, pid, mode);
    const deadline = Date.now() + waitMs;
    while (processAlive(pid) && Date.now() < deadline) await delay(25);
    if (!processAlive(pid)) return;
  }
  throw new EmbeddedSetupError(`The embedded Postgres (pid ${pid}) did not stop`);
}
