/**
 * Fault: Postgres is restarted (fast shutdown, then started again on the same data) during a
 * pledge storm against real `server` and `worker` processes with no REDIS_URL, so BullMQ runs on
 * its Postgres backend and overlay events travel over LISTEN/NOTIFY: everything depends on the
 * database that goes away. The service reports not ready while it is down, refuses with a JSON
 * error instead of hanging, and recovers without being restarted. Every pledge that got a 2xx
 * exists exactly once (by Idempotency-Key), no pledge refused with a 4xx has a row, and a
 * request whose outcome was unknown (503 UNAVAILABLE, 500, reset, timeout) is retried with its key: one effect.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { apiAt, FAULT_ADMIN_TOKEN, openFaultChannel, serverUrl, startPostgres, startRole, until, type ChildHandle, type PrivatePostgres } from './support.js';

const CH = 'pgfault';
const STORM = 400;

let postgres: PrivatePostgres;
let db: DbHandle;
const children: ChildHandle[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  db = createDb(await postgres.createDatabase('fault_pg'), { max: 4 });
});
afterAll(async () => {
  if (process.env.FAULT_DEBUG) children.forEach((c, i) => writeFileSync(`${process.env.FAULT_DEBUG}/pg-restart-${i}.log`, c.output()));
  for (const c of children) await c.kill('SIGKILL');
  await db?.close().catch(() => undefined);
  await postgres?.dispose();
});

interface Outcome {
  key: string;
  login: string;
  /** HTTP status; 0 for a connection error, -1 for a client timeout (outcome unknown). */
  status: number;
  code?: string;
}

it('a Postgres restart mid-storm: not ready while down, clean refusals, recovery in place, no pledge lost or doubled', async () => {
  const started = Date.now();
  const stage = (what: string) => console.info(`postgres-restart +${Date.now() - started} ms: ${what}`);
  const env = { DATABASE_URL: postgres.url('fault_pg'), ADMIN_TOKEN: FAULT_ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1' };
  const server = startRole('server', env);
  const worker = startRole('worker', env);
  children.push(server, worker);
  const base = await serverUrl(server);
  const api = apiAt(base);
  stage('processes up');

  const { chat, propose, overlay } = await openFaultChannel<{ type: string; missionNumber?: number; pot?: number }>(base, db.db, CH, 'pg-fault');
  const { socket: ws, messages } = overlay;
  const storm = await propose('stormer', '1h');
  // Its deadline job is stored in Postgres before the restart and falls due after it.
  const timed = await propose('timer', '10s');

  const send = async (i: number): Promise<Outcome> => {
    const login = `fan${i}`;
    const key = `pg-storm-${i}`;
    try {
      const res = await api(`/channels/${CH}/missions/${storm}/pledges`, { method: 'POST', headers: chat(login, key), body: JSON.stringify({ amount: 10 }) });
      const body = (await res.json()) as { error?: { code: string; message: string } };
      // A refusal is a JSON error, whatever the cause.
      if (res.status >= 300) expect(body.error, `status ${res.status}`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      return { key, login, status: res.status, code: body.error?.code };
    } catch (err) {
      return { key, login, status: (err as Error).name === 'TimeoutError' ? -1 : 0 };
    }
  };
  const results: Outcome[] = [];
  let next = 0;
  const lanes = Array.from({ length: 8 }, async () => {
    while (next < STORM) results.push(await send(next++));
  });
  await until(async () => next >= 100, 30_000, 'storm under way');

  stage(`stopping postgres at request ${next}`);
  await postgres.stop();
  const stoppedAt = next;
  // While down: /readyz says so promptly, as JSON.
  const readyDown = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(5_000) });
  expect(readyDown.status).toBe(503);
  expect(await readyDown.json()).toMatchObject({ status: 'not_ready', checks: { postgres: expect.not.stringMatching(/^ok$/) } });
  // A read while down is refused with a JSON error, within the client's patience.
  const readDown = await api(`/channels/${CH}/missions/${storm}`);
  expect(readDown.status).toBeGreaterThanOrEqual(500);
  expect(((await readDown.json()) as { error?: unknown }).error).toMatchObject({ code: expect.any(String) });
  await until(async () => next >= stoppedAt + 40, 20_000, 'requests refused during the outage');
  stage(`starting postgres at request ${next}`);
  await postgres.start();
  stage('postgres started');
  await until(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000, 'ready after the restart');
  stage('ready again');
  await Promise.all(lanes);
  stage('storm over');

  // Unknown outcomes (503 while the database was away, 500, reset, timeout) are retried with the
  // same key: a replay or a first effect. A 503 may come from a lost COMMIT, so it is not a refusal.
  const unknown = results.filter((r) => r.status <= 0 || r.status === 500 || r.status === 503);
  const retried: Outcome[] = [];
  for (const r of unknown) retried.push(await send(Number(r.key.slice('pg-storm-'.length))));
  for (const r of retried) expect([200, 201], JSON.stringify(r)).toContain(r.status);
  const after = await send(STORM);
  expect(after.status).toBe(201);

  const tally = (list: Outcome[]) => list.reduce<Record<string, number>>((a, r) => ({ ...a, [`${r.status}${r.code ? `/${r.code}` : ''}`]: (a[`${r.status}${r.code ? `/${r.code}` : ''}`] ?? 0) + 1 }), {});
  stage(`results ${JSON.stringify(tally(results))}; retried ${JSON.stringify(tally(retried))}`);
  expect(results.filter((r) => r.status !== 201).length, 'the outage refused something').toBeGreaterThan(0);

  const rows = await db.pool.query<{ key: string; n: number }>(
    `SELECT p.idempotency_key AS key, count(*)::int AS n FROM pledges p JOIN channels c ON c.id = p.channel_id
     WHERE c.login = $1 AND p.idempotency_key LIKE 'pg-storm-%' GROUP BY 1`,
    [CH],
  );
  const byKey = new Map(rows.rows.map((r) => [r.key, r.n]));
  const settled = new Map<string, Outcome>();
  for (const r of [...results, ...retried, after]) if (r.status === 200 || r.status === 201 || !settled.has(r.key)) settled.set(r.key, r);
  for (const [key, r] of settled) {
    const ok = r.status === 200 || r.status === 201;
    expect(byKey.get(key) ?? 0, `${key}: ${JSON.stringify(r)}`).toBe(ok ? 1 : 0);
  }
  expect([...byKey.keys()].every((k) => settled.has(k))).toBe(true);
  stage(`rows checked: ${byKey.size} pledges`);

  // Recovered in place: the same processes, the overlay subscription back, the old deadline fired.
  expect(server.child.exitCode).toBeNull();
  expect(worker.child.exitCode).toBeNull();
  const final = (await (await api(`/channels/${CH}/missions/${storm}`)).json()) as { pot: number };
  await until(async () => messages.some((m) => m.type === 'pledge' && m.pot === final.pot), 15_000, 'overlay sees the final pot');
  await until(async () => {
    const m = (await (await api(`/channels/${CH}/missions/${timed}`)).json()) as { status: string };
    return m.status !== 'open';
  }, 30_000, 'deadline fired');
  ws.close();

  const channelId = ((await db.pool.query('SELECT id FROM channels WHERE login = $1', [CH])).rows[0] as { id: number }).id;
  const audit = await auditChannel(db.db, channelId);
  expect(audit.violations).toEqual([]);
  expect(audit.ok).toBe(true);
  console.info(`postgres-restart: ${Date.now() - started} ms`);
}, 110_000);
