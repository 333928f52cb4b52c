/**
 * Fault: two `worker` and two `server` processes against one database and one (private) Redis.
 * Missions with short deadlines are proposed and backed through both servers; half are judged
 * a success within the grace period through the other server, half expire. Both workers race
 * for every deadline, grace and settlement job, yet each has exactly one effect: one settlement
 * transfer per pledge, one `resolved` per mission. Overlay clients on BOTH servers see every
 * pledge (summed `count`, final pot) and every verdict, whichever server took the request:
 * events cross processes through Redis. Ends with the ledger audit.
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { serverUrl, startRedis, startRole, until, type ChildHandle } from './support.js';

const CH = 'multifault';
const ADMIN_TOKEN = 'fault-admin-token-0123456789';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const MISSIONS = 6;
const VIEWERS = 10;

let redis: Awaited<ReturnType<typeof startRedis>>;
let database: TestDatabase;
const children: ChildHandle[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  [redis, database] = await Promise.all([startRedis(), createTestDatabase('fault_multi')]);
});
afterAll(async () => {
  if (process.env.FAULT_DEBUG) children.forEach((c, i) => writeFileSync(`${process.env.FAULT_DEBUG}/multi-${i}.log`, c.output()));
  for (const s of sockets) s.terminate();
  for (const c of children) await c.kill('SIGKILL');
  await database?.drop();
  await redis?.kill('SIGKILL');
});

interface OverlayMessage {
  type: string;
  seq?: number;
  missionNumber?: number;
  count?: number;
  pot?: number;
  outcome?: string;
  mission?: { number: number; status: string; pot: number };
}

it('two servers and two workers: every job has one effect, overlays on both servers see every event', async () => {
  const started = Date.now();
  const stage = (what: string) => console.info(`multi-process +${Date.now() - started} ms: ${what}`);
  const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1' };
  const servers = [startRole('server', env), startRole('server', env)];
  const workers = [startRole('worker', env), startRole('worker', env)];
  children.push(...servers, ...workers);
  const bases = await Promise.all(servers.map((s) => serverUrl(s)));
  stage('processes up');
  const api = (server: number, p: string, init: RequestInit = {}) => fetch(`${bases[server]}/api/v1${p}`, { signal: AbortSignal.timeout(10_000), ...init });

  const created = await api(0, '/channels', {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({
      login: CH,
      settings: { requireApproval: false, createCooldown: 0, minDuration: 1, verdictGrace: 3, maxOpenMissions: 20, maxOpenMissionsPerViewer: 5 },
    }),
  });
  expect(created.status).toBe(201);
  // The overlay key as the dashboard gets it, from the other server.
  const channel = (await (await api(1, `/channels/${CH}`, { headers: admin })).json()) as { overlayKey: string };
  expect(channel.overlayKey).toEqual(expect.any(String));
  const { token } = await createTokenService(database.db).issueToken({ role: 'bot', label: 'multi-fault' });
  const chat = (login: string, key?: string) => ({
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    'x-acting-channel': CH,
    'x-acting-user-id': `id-${login}`,
    'x-acting-user-login': login,
    'x-acting-user-display-name': login,
    'x-acting-user-role': 'viewer',
    ...(key ? { 'idempotency-key': key } : {}),
  });

  const inbox: OverlayMessage[][] = [[], []];
  for (const [i, base] of bases.entries()) {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/ws/overlay/${CH}?key=${encodeURIComponent(channel.overlayKey)}`);
    ws.on('message', (data) => inbox[i]!.push(JSON.parse(String(data)) as OverlayMessage));
    ws.on('error', () => undefined);
    sockets.push(ws);
  }
  await until(async () => inbox.every((m) => m.some((x) => x.type === 'snapshot')), 10_000, 'both overlay snapshots');

  // Missions alternate between the servers; their deadline jobs race on both workers.
  const numbers: number[] = [];
  for (let m = 0; m < MISSIONS; m++) {
    const res = await api(m % 2, `/channels/${CH}/missions`, {
      method: 'POST',
      headers: chat(`proposer${m}`),
      body: JSON.stringify({ text: `Multi mission ${m}`, amount: 10, duration: '8s' }),
    });
    expect(res.status).toBe(201);
    numbers.push(((await res.json()) as { number: number }).number);
  }
  stage('missions proposed');

  // Every viewer backs every mission; which server takes a pledge alternates.
  const pledges = numbers.flatMap((n, m) => Array.from({ length: VIEWERS }, (_, v) => ({ n, v, server: (m + v) % 2 })));
  // Should pledges stall (seen once: no response in 10 s), say what the database was doing.
  const diag = setTimeout(() => {
    void database.pool.query(`SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start AS age, left(query, 300) AS q FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`).then((r) => console.info('DIAG', JSON.stringify(r.rows, null, 1)));
    void database.pool.query(`SELECT l.pid, l.locktype, l.mode, l.granted, l.relation::regclass AS rel, l.transactionid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = current_database() AND NOT l.granted`).then((r) => console.info('LOCKS', JSON.stringify(r.rows)));
  }, 5_000);
  const statuses = await Promise.all(
    pledges.map(async ({ n, v, server }) => {
      const res = await api(server, `/channels/${CH}/missions/${n}/pledges`, {
        method: 'POST',
        headers: chat(`viewer${v}`, `multi-${n}-${v}`),
        body: JSON.stringify({ amount: 10 + v }),
      });
      return res.status;
    }),
  );
  clearTimeout(diag);
  expect(statuses.every((s) => s === 201), JSON.stringify(statuses)).toBe(true);
  stage('pledges made');

  // Both overlays see all pledges of each mission (counts summed across coalesced messages) and the final pot.
  const pots = new Map<number, number>();
  for (const n of numbers) pots.set(n, ((await (await api(0, `/channels/${CH}/missions/${n}`)).json()) as { pot: number }).pot);
  const pledgeCount = (box: OverlayMessage[], n: number) =>
    box.filter((x) => x.type === 'pledge' && x.missionNumber === n).reduce((sum, x) => sum + (x.count ?? 0), 0);
  const lastPot = (box: OverlayMessage[], n: number) => box.filter((x) => x.type === 'pledge' && x.missionNumber === n).at(-1)?.pot;
  await until(
    async () => inbox.every((box) => numbers.every((n) => pledgeCount(box, n) === VIEWERS && lastPot(box, n) === pots.get(n))),
    6_000,
    'every pledge on both overlays',
  ).catch((err: Error) => {
    const seen = inbox.map((box) => numbers.map((n) => `#${n}:${pledgeCount(box, n)}/${lastPot(box, n)}=${pots.get(n)}`).join(' '));
    throw new Error(`${err.message}: ${JSON.stringify(seen)}`);
  });
  stage('overlays saw every pledge');

  // Half the missions are judged a success within the grace period (through the other server); the rest expire.
  const judged = numbers.filter((_, m) => m % 2 === 0);
  await Promise.all(
    judged.map(async (n, k) => {
      await until(async () => ((await (await api(k % 2, `/channels/${CH}/missions/${n}`)).json()) as { status: string }).status === 'closed', 20_000, `#${n} closed`);
      const res = await api((k + 1) % 2, `/channels/${CH}/missions/${n}/success`, { method: 'POST', headers: admin, body: '{}' });
      expect(res.status, await res.clone().text()).toBe(200);
    }),
  );
  stage('verdicts given');
  await until(async () => {
    const all = await Promise.all(numbers.map(async (n) => (await (await api(0, `/channels/${CH}/missions/${n}`)).json()) as { status: string; settled: boolean }));
    return all.every((m) => m.settled);
  }, 30_000, 'every mission settled');
  stage('all settled');

  const final = new Map<number, string>();
  for (const n of numbers) final.set(n, ((await (await api(1, `/channels/${CH}/missions/${n}`)).json()) as { status: string }).status);
  for (const n of numbers) expect(final.get(n), `#${n}`).toBe(judged.includes(n) ? 'succeeded' : 'failed');

  // One settlement transfer per pledge (the proposers' opening pledges included), whichever worker ran it.
  const settlement = await database.pool.query<{ pledges: number; settled: number; transfers: number; distinct: number }>(
    `SELECT (SELECT count(*)::int FROM pledges p JOIN channels c ON c.id = p.channel_id WHERE c.login = $1) AS pledges,
            (SELECT count(*)::int FROM pledges p JOIN channels c ON c.id = p.channel_id WHERE c.login = $1 AND p.settlement IS NOT NULL) AS settled,
            count(*)::int AS transfers, count(DISTINCT t.pledge_id)::int AS distinct
     FROM transfers t JOIN channels c ON c.id = t.channel_id WHERE c.login = $1 AND t.kind IN ('refund', 'payout')`,
    [CH],
  );
  const expected = MISSIONS * (VIEWERS + 1);
  expect(settlement.rows[0]).toEqual({ pledges: expected, settled: expected, transfers: expected, distinct: expected });

  // Both overlays: exactly one `resolved` per mission, with the verdict the database holds.
  await until(async () => inbox.every((box) => numbers.every((n) => box.some((x) => x.type === 'resolved' && x.mission?.number === n))), 10_000, 'resolved on both overlays');
  await new Promise((resolve) => setTimeout(resolve, 500)); // room for a duplicate to show up
  for (const [i, box] of inbox.entries()) {
    for (const n of numbers) {
      const resolved = box.filter((x) => x.type === 'resolved' && x.mission?.number === n);
      expect(resolved.length, `overlay ${i} #${n}`).toBe(1);
      expect(resolved[0]!.mission!.status).toBe(final.get(n));
      const closed = box.filter((x) => x.type === 'mission' && x.mission?.number === n && x.mission.status === 'closed');
      expect(closed.length, `overlay ${i} #${n} closed`).toBeLessThanOrEqual(1);
    }
    // No message lost on the way: per-server seq numbers are gapless after the snapshot.
    const seqs = box.filter((x) => x.type !== 'pong').map((x) => x.seq!);
    for (let k = 1; k < seqs.length; k++) expect(seqs[k], `overlay ${i} seq`).toBe(seqs[k - 1]! + 1);
  }

  const channelId = ((await database.pool.query('SELECT id FROM channels WHERE login = $1', [CH])).rows[0] as { id: number }).id;
  const audit = await auditChannel(database.db, channelId);
  expect(audit.violations).toEqual([]);
  expect(audit.ok).toBe(true);
  const settledBy = workers.map((w) => w.output().split('\n').filter((l) => l.includes('"mission settled"')).length);
  console.info(`multi-process: ${Date.now() - started} ms; settlement jobs per worker ${JSON.stringify(settledBy)}`);
}, 90_000);
