/**
 * Fault: two `worker` and two `server` processes against one database and one (private) Redis.
 * Missions with short deadlines are proposed and backed through both servers; half are judged
 * a success within the grace period through the other server, half expire. Both workers race
 * for every deadline, grace and settlement job, yet each has exactly one effect: one refund per
 * refunded pledge, one payout per paid mission, one `resolved` per mission. Overlay clients on
 * BOTH servers see every pledge (summed `count`, final pot) and every verdict, whichever server
 * took the request: events cross processes through Redis. Ends with the ledger audit.
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seedPledges, serverUrl, startRedis, startRole, until, type ChildHandle, chatHeaders, FAULT_ADMIN_TOKEN, faultAdminHeaders } from './support.js';

const CH = 'multifault';
const admin = faultAdminHeaders;
const MISSIONS = 10;
const VIEWERS = 10;
/** Backers seeded on one more mission: above the inline limit (1,000), so its refund is a settlement job both workers race for. */
const BIG = 3_000;

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
  const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN: FAULT_ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1' };
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
  const chat = (login: string, key?: string) => chatHeaders(token, CH, login, key);

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
  const bigRes = await api(1, `/channels/${CH}/missions`, {
    method: 'POST',
    headers: chat('bigproposer'),
    body: JSON.stringify({ text: 'Three thousand backers', amount: 10, duration: '8s' }),
  });
  expect(bigRes.status).toBe(201);
  const big = ((await bigRes.json()) as { number: number }).number;
  const channelId = ((await database.pool.query('SELECT id FROM channels WHERE login = $1', [CH])).rows[0] as { id: number }).id;
  await seedPledges(database.db, channelId, big, BIG);
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
      // Polled in the database: polling the API this fast would only meet its per-IP rate limit.
      await until(async () => (await database.pool.query(`SELECT 1 FROM missions WHERE channel_id = $1 AND number = $2 AND status = 'closed'`, [channelId, n])).rowCount === 1, 20_000, `#${n} closed`);
      const res = await api((k + 1) % 2, `/channels/${CH}/missions/${n}/success`, { method: 'POST', headers: admin, body: '{}' });
      expect(res.status, await res.clone().text()).toBe(200);
    }),
  );
  stage('verdicts given');
  await until(async () => {
    const r = await database.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM missions WHERE channel_id = $1 AND settled`, [channelId]);
    return r.rows[0]!.n === MISSIONS + 1;
  }, 30_000, 'every mission settled').catch(async (err: Error) => {
    // Say which missions are stuck and what BullMQ holds for their timers.
    const states = await database.pool.query(`SELECT id, number, status, settled FROM missions ORDER BY id`);
    const r = new Redis(redis.url);
    const jobs: Record<string, unknown> = {};
    for (const key of await r.keys('bull:mission-timers:*')) {
      const type = await r.type(key);
      jobs[key] = type === 'hash' ? await r.hgetall(key) : type === 'zset' ? `zset of ${await r.zcard(key)}` : type === 'list' ? await r.lrange(key, 0, -1) : type;
    }
    r.disconnect();
    throw new Error(`${err.message}: ${JSON.stringify(states.rows)} ${JSON.stringify(jobs).slice(0, 6000)}`);
  });
  stage('all settled');

  const final = new Map<number, string>();
  for (const n of numbers) final.set(n, ((await (await api(1, `/channels/${CH}/missions/${n}`)).json()) as { status: string }).status);
  for (const n of numbers) expect(final.get(n), `#${n}`).toBe(judged.includes(n) ? 'succeeded' : 'failed');
  for (const n of [...numbers, big]) expect(((await (await api(n % 2, `/channels/${CH}/missions/${n}`)).json()) as { settled: boolean }).settled, `#${n}`).toBe(true);
  expect(((await (await api(0, `/channels/${CH}/missions/${big}`)).json()) as { status: string }).status).toBe('failed');

  // Every pledge settled (the proposers' opening pledges included), whichever worker ran it: one
  // refund row per refunded pledge, one payout row per paid mission (each settled in one batch).
  const settlement = await database.pool.query<{ pledges: number; settled: number; refunded: number; refunds: number; distinct: number; payouts: number; paid: number }>(
    `SELECT (SELECT count(*)::int FROM pledges p JOIN channels c ON c.id = p.channel_id WHERE c.login = $1) AS pledges,
            (SELECT count(*)::int FROM pledges p JOIN channels c ON c.id = p.channel_id WHERE c.login = $1 AND p.settlement IS NOT NULL) AS settled,
            (SELECT count(*)::int FROM pledges p JOIN channels c ON c.id = p.channel_id WHERE c.login = $1 AND p.settlement = 'refunded') AS refunded,
            count(*) FILTER (WHERE t.kind = 'refund')::int AS refunds, count(DISTINCT t.pledge_id) FILTER (WHERE t.kind = 'refund')::int AS distinct,
            count(*) FILTER (WHERE t.kind = 'payout')::int AS payouts, count(DISTINCT t.mission_id) FILTER (WHERE t.kind = 'payout')::int AS paid
     FROM transfers t JOIN channels c ON c.id = t.channel_id WHERE c.login = $1 AND t.kind IN ('refund', 'payout')`,
    [CH],
  );
  const expected = MISSIONS * (VIEWERS + 1) + 1 + BIG;
  const refunded = expected - judged.length * (VIEWERS + 1);
  expect(settlement.rows[0]).toEqual({
    pledges: expected,
    settled: expected,
    refunded,
    refunds: refunded,
    distinct: refunded,
    payouts: judged.length,
    paid: judged.length,
  });

  // Both overlays: exactly one `resolved` per mission, with the verdict the database holds.
  numbers.push(big);
  final.set(big, 'failed');
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

  // Jobs racing on two workers must not trip over each other: no deadlock, no failed attempt.
  for (const c of children) expect(c.output()).not.toMatch(/deadlock detected|"job failed"|pledge batch failed/);

  const audit = await auditChannel(database.db, channelId);
  expect(audit.violations).toEqual([]);
  expect(audit.ok).toBe(true);
  // Workers log a settlement job's run; a second run of the same job would have found nothing to do.
  const settledBy = workers.map((w) => w.output().split('\n').filter((l) => l.includes('"mission settled"')).length);
  expect(settledBy.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  console.info(`multi-process: ${Date.now() - started} ms; settlement job runs per worker ${JSON.stringify(settledBy)}`);
}, 90_000);
