/**
 * The embedded database: a real Postgres from npm, its data in the data directory (`./.data` by
 * default), used when no DATABASE_URL is configured so `npm start` works with nothing but Node.
 *
 * Every tool finds it the same way (`openEmbeddedPostgres`): if a server already runs on the data
 * directory (`npm start` in another terminal) it connects to that one, reading the port from
 * Postgres's own `postmaster.pid`; otherwise it starts one, and stops it when done.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { binariesFor, blockingDirectory, EmbeddedSetupError, findBinaries, postgresUser } from './embedded/binaries.js';
import {
  initCluster,
  readPostmaster,
  signalStop,
  startServer,
  stopServer,
  urlFor,
  waitUntilAccepting,
  type Cluster,
} from './embedded/postmaster.js';

export { EmbeddedSetupError } from './embedded/binaries.js';

const DATABASE = 'mission_link';
const PREFERRED_PORT = 54329;
/** Where root keeps the embedded database when the checkout is private (e.g. under /root). */
const ROOT_FALLBACK = '/var/lib/mission-link';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** The directory that holds the data (`postgres/`) and the server's log. */
  home: string;
  /** True when this process started the server (and `stop` stops it). */
  started: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  log: (msg: string) => void;
  /** True when the data directory is the default rather than MISSION_LINK_DATA_DIR. */
  defaultDataDir?: boolean;
  /**
   * Stop a server found already running when done (the app adopts one left by a killed run);
   * tools that only borrow it for one command leave it running. Default false.
   */
  adopt?: boolean;
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}

/**
 * The directory for the data. As root, Postgres runs as user `postgres`, which must reach it: a
 * default data directory inside a private checkout moves to /var/lib/mission-link/<checkout>-<hash>
 * (the same place every time, so every tool finds it); one named in MISSION_LINK_DATA_DIR is used as
 * given, or refused with the reason.
 */
export function embeddedHome(dataDir: string, defaultDataDir: boolean): string {
  const home = path.resolve(dataDir);
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (!user) return home;
  const blocker = blockingDirectory(home, user);
  if (blocker === undefined) return home;
  if (!defaultDataDir) {
    throw new EmbeddedSetupError(
      `Running as root, the embedded Postgres runs as user "postgres", which cannot enter ${blocker}, so it cannot use ` +
        `MISSION_LINK_DATA_DIR=${dataDir}. Set MISSION_LINK_DATA_DIR to a directory it can reach (e.g. ${ROOT_FALLBACK}), or set DATABASE_URL.`,
    );
  }
  const name = path.basename(path.dirname(home)).replace(/[^A-Za-z0-9_.-]+/g, '_') || 'data';
  return path.join(ROOT_FALLBACK, `${name}-${createHash('sha256').update(home).digest('hex').slice(0, 8)}`);
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } catch (err) {
    // Two tools creating it at once: the loser sees a duplicate; the database exists either way.
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

/** Waits for a server found through its pid file to be ready, and returns its port (undefined: it went away). */
async function runningPort(cluster: Cluster): Promise<number | undefined> {
  for (let i = 0; i < 600; i += 1) {
    const info = readPostmaster(cluster.dataDir);
    if (!info) return undefined;
    if (info.status === 'ready' && Number.isInteger(info.port) && info.port > 0) {
      await waitUntilAccepting(info.port, new Promise<never>(() => undefined), 10_000);
      return info.port;
    }
    await delay(100);
  }
  return undefined;
}

/**
 * Connects to the embedded database of `dataDir`: the server already running on it, or a new one.
 * The result's `stop` stops only a server this call started (or adopted, with `adopt`).
 */
export async function openEmbeddedPostgres(dataDir: string, options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const { log } = options;
  const home = embeddedHome(dataDir, options.defaultDataDir ?? false);
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (runAs && home !== path.resolve(dataDir)) {
    log(`running as root: the embedded Postgres runs as user "postgres", which cannot reach ${path.resolve(dataDir)}; its data is in ${home} (set MISSION_LINK_DATA_DIR to choose)`);
  }
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  const binaries = binariesFor(await findBinaries(), runAs, home);
  const cluster: Cluster = { binaries, dataDir: path.join(home, 'postgres'), logFile: path.join(home, 'postgres.log'), runAs };

  const found = await runningPort(cluster);
  if (found !== undefined) {
    const pid = readPostmaster(cluster.dataDir)?.pid;
    log(`embedded Postgres already running on 127.0.0.1:${found} (pid ${pid}); using it`);
    await ensureDatabase(found);
    return {
      url: urlFor(found, DATABASE),
      port: found,
      home,
      started: false,
      stop: async () => {
        if (options.adopt && pid !== undefined) await stopServer(cluster, pid);
      },
    };
  }

  if (!fs.existsSync(path.join(cluster.dataDir, 'PG_VERSION'))) {
    log(`initialising the embedded Postgres in ${cluster.dataDir} (first run only)`);
    await initCluster(cluster);
  }
  const port = await freePort(PREFERRED_PORT);
  const server = await startServer(cluster, port);
  // A forced exit (or an uncaught error) must not leave the detached server running.
  const onExit = () => signalStop(cluster, server.pid, 'fast', true);
  process.on('exit', onExit);
  try {
    await ensureDatabase(port);
  } catch (err) {
    await stopServer(cluster, server.pid).catch(() => undefined);
    process.removeListener('exit', onExit);
    throw err;
  }
  log(`embedded Postgres listening on 127.0.0.1:${port} (data in ${cluster.dataDir})`);
  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(port, DATABASE),
    port,
    home,
    started: true,
    stop() {
      stopped ??= stopServer(cluster, server.pid).finally(() => process.removeListener('exit', onExit));
      return stopped;
    },
  };
}
