/**
 * Fault: the `server` process gets SIGTERM in the middle of a pledge storm. It stops accepting,
 * lets in-flight requests finish and commits every pledge its micro-batcher accepted, then exits
 * 0 within its shutdown timeout (25 s in server/main.ts). Every pledge answered 2xx is committed
 * exactly once, every refused one has no row, a request cut off mid-flight is retried with its
 * Idempotency-Key against a fresh server (one effect), and the ledger audit finds no half batch.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTokenService } from '../../server/services/tokens.js';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { serverUrl, startRedis, startRole, until, type ChildHandle, chatHeaders, FAULT_ADMIN_TOKEN, faultAdminHeaders } from './support.js';

const CH = 'sigtermfault';
const admin = faultAdminHeaders;
const STORM = 600;
const SHUTDOWN_LIMIT_MS = 25_000;

let redis: Awaited<ReturnType<typeof startRedis>>;
let database: TestDatabase;
const children: ChildHandle[] = [];

beforeAll(async () => {
  [redis, database] = await Promise.all([startRedis(), createTestDatabase('fault_sigterm')]);
});
afterAll(async () => {
  if (process.env.FAULT_DEBUG) children.forEach((c, i) => writeFileSync(`${process.env.FAULT_DEBUG}/sigterm-${i}.log`, c.output()));
  for (const c of children) await c.kill('SIGKILL');
  await database?.drop();
  await redis?.kill('SIGKILL');
});

interface Outcome {
  key: string;
  i: number;
  /** HTTP status; 0 for a connection error, -1 for a client timeout (outcome unknown). */
  status: number;
  code?: string;
}

it('SIGTERM mid-storm: every 2xx pledge committed once, none half-applied, exit 0 in time', async () => {
  const started = Date.now();
  const stage = (what: string) => console.info(`sigterm +${Date.now() - started} ms: ${what}`);
  const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, ADMIN_TOKEN: FAULT_ADMIN_TOKEN, PORT: '0', HOST: '127.0.0.1' };
  const server = startRole('server', env);
  const worker = startRole('worker', env);
  children.push(server, worker);
  const base = await serverUrl(server);

  const created = await fetch(`${base}/api/v1/channels`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ login: CH, settings: { requireApproval: false, createCooldown: 0, minDuration: 1 } }),
  });
  expect(created.status).toBe(201);
  const { token } = await createTokenService(database.db).issueToken({ role: 'bot', label: 'sigterm-fault' });
  const chat = (login: string, key?: string) => chatHeaders(token, CH, login, key);
  const proposed = await fetch(`${base}/api/v1/channels/${CH}/missions`, {
    method: 'POST',
    headers: chat('stormer'),
    body: JSON.stringify({ text: 'Survive the restart', amount: 10, duration: '1h' }),
  });
  expect(proposed.status).toBe(201);
  const storm = ((await proposed.json()) as { number: number }).number;

  const send = async (at: string, i: number): Promise<Outcome> => {
    const key = `term-${i}`;
    try {
      const res = await fetch(`${at}/api/v1/channels/${CH}/missions/${storm}/pledges`, {
        method: 'POST',
        headers: chat(`fan${i}`, key),
        body: JSON.stringify({ amount: 10 + (i % 5) }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json()) as { error?: { code: string; message: string } };
      if (res.status >= 300) expect(body.error, `status ${res.status}`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      return { key, i, status: res.status, code: body.error?.code };
    } catch (err) {
      return { key, i, status: (err as Error).name === 'TimeoutError' ? -1 : 0 };
    }
  };

  const results: Outcome[] = [];
  let next = 0;
  let stop = false;
  const lanes = Array.from({ length: 12 }, async () => {
    while (!stop && next < STORM) {
      const outcome = await send(base, next++);
      results.push(outcome);
      // Once the server is gone, a lane stops: it would only collect more connection errors.
      if (outcome.status === 0) stop = true;
    }
  });
  await until(async () => results.filter((r) => r.status === 201).length >= 150, 30_000, 'storm under way');

  stage(`SIGTERM at request ${next}`);
  const termAt = Date.now();
  const code = await server.kill('SIGTERM');
  const shutdownMs = Date.now() - termAt;
  stage(`server exited ${code} after ${shutdownMs} ms`);
  expect(code).toBe(0);
  expect(shutdownMs).toBeLessThan(SHUTDOWN_LIMIT_MS);
  expect(server.output()).toMatch(/shutting down/);
  expect(server.output()).not.toMatch(/shutdown took too long|stop failed|pledge batch failed/);
  await Promise.all(lanes);

  const tally = (list: Outcome[]) => list.reduce<Record<string, number>>((a, r) => ({ ...a, [`${r.status}${r.code ? `/${r.code}` : ''}`]: (a[`${r.status}${r.code ? `/${r.code}` : ''}`] ?? 0) + 1 }), {});
  stage(`results ${JSON.stringify(tally(results))}`);

  // What the database holds right after the shutdown, before any retry.
  const rowsNow = async () => {
    const r = await database.pool.query<{ key: string; n: number }>(
      `SELECT idempotency_key AS key, count(*)::int AS n FROM pledges WHERE idempotency_key LIKE 'term-%' GROUP BY 1`,
    );
    return new Map(r.rows.map((row) => [row.key, row.n]));
  };
  const before = await rowsNow();
  for (const r of results) {
    if (r.status === 201 || r.status === 200) expect(before.get(r.key), `${r.key} answered ${r.status}`).toBe(1);
    else if (r.status >= 400) expect(before.get(r.key) ?? 0, `${r.key} refused ${r.status}`).toBe(0);
    else expect(before.get(r.key) ?? 0, `${r.key} cut off`).toBeLessThanOrEqual(1);
  }
  expect([...before.keys()].every((k) => results.some((r) => r.key === k))).toBe(true);

  // A fresh server: requests cut off mid-flight are retried with their key, with one effect.
  const again = startRole('server', env);
  children.push(again);
  const base2 = await serverUrl(again);
  const unknown = results.filter((r) => r.status <= 0 || r.status === 500);
  const retried = await Promise.all(unknown.map((r) => send(base2, r.i)));
  for (const [n, r] of retried.entries()) {
    expect([200, 201], JSON.stringify(r)).toContain(r.status);
    // A replay (200) only for a pledge that had committed; a first effect (201) only for one that had not.
    expect(r.status === 200, `${r.key}`).toBe(before.get(unknown[n]!.key) === 1);
  }
  const after = await rowsNow();
  for (const r of results) {
    const ok = r.status === 201 || r.status === 200 || r.status <= 0 || r.status === 500;
    expect(after.get(r.key) ?? 0, r.key).toBe(ok ? 1 : 0);
  }
  stage(`retried ${JSON.stringify(tally(retried))}; ${after.size} pledges`);

  const channelId = ((await database.pool.query('SELECT id FROM channels WHERE login = $1', [CH])).rows[0] as { id: number }).id;
  const audit = await auditChannel(database.db, channelId);
  expect(audit.violations).toEqual([]);
  expect(audit.ok).toBe(true);
  // The pot the API reports is exactly the committed pledges.
  const mission = (await (await fetch(`${base2}/api/v1/channels/${CH}/missions/${storm}`)).json()) as { pot: number };
  const sum = (await database.pool.query<{ s: number }>(`SELECT coalesce(sum(amount), 0)::int AS s FROM pledges WHERE channel_id = $1`, [channelId])).rows[0]!.s;
  expect(mission.pot).toBe(sum);
  console.info(`sigterm: ${Date.now() - started} ms; shutdown ${shutdownMs} ms`);
}, 90_000);
