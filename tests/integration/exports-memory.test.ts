/**
 * A large ledger export streams: 200,000 journal rows go out over a real socket while the
 * server's heap grows by far less than the file, which it would hold whole if it buffered.
 */
import { get } from 'node:http';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { asAdmin, createChannel, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
const CH = 'bigexport';
const ROWS = 200_000;

/** A full collection, so a heap sample counts what is retained rather than garbage not yet collected. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

beforeAll(async () => {
  h = await startHarness({ label: 'exports-memory', backend: 'postgres', workers: false });
  await createChannel(h, CH, { createCooldown: 0 });
  const channel = await h.runtime.services.channels.get(CH);
  await h.runtime.db.db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO users (user_id, login, display_name) VALUES ('big-1', 'big1', '큰손')`);
    await tx.execute(sql`INSERT INTO accounts (channel_id, kind, user_id) VALUES (${channel.id}, 'wallet', 'big-1')`);
    await tx.execute(sql`
      INSERT INTO transfers (channel_id, from_account, to_account, amount, kind, actor)
      SELECT ${channel.id}, mint.id, w.id, 1 + g % 97, 'grant', 'admin'
      FROM generate_series(1, ${ROWS}) g,
           (SELECT id FROM accounts WHERE channel_id = ${channel.id} AND kind = 'mint') mint,
           (SELECT id FROM accounts WHERE channel_id = ${channel.id} AND user_id = 'big-1') w`);
    const total = sql`(SELECT sum(1 + g % 97) FROM generate_series(1, ${ROWS}) g)`;
    await tx.execute(sql`UPDATE accounts SET balance = balance + ${total} WHERE channel_id = ${channel.id} AND user_id = 'big-1'`);
    await tx.execute(sql`UPDATE accounts SET balance = balance - ${total} WHERE channel_id = ${channel.id} AND kind = 'mint'`);
  });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
}, 120_000);
afterAll(async () => h?.close());

it('streams 200,000 rows with the heap growing by far less than the file', async () => {
  const { port } = h.app.server.address() as AddressInfo;
  let expectedTotal = 0;
  for (let g = 1; g <= ROWS; g++) expectedTotal += 1 + (g % 97);
  collect();
  const baseline = process.memoryUsage().heapUsed;
  let chunks = 0;
  let peak = baseline;
  let bytes = 0;
  let lines = 0;
  let tail = '';
  let total = 0;
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    get({ port, host: '127.0.0.1', path: `/api/v1/channels/${CH}/exports/ledger.csv`, headers: asAdmin }, (res) => {
      expect(res.statusCode).toBe(200);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        bytes += Buffer.byteLength(chunk);
        // Mid-stream samples: a server that buffered the result would hold it here.
        if (++chunks % 50 === 0) {
          collect();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
        const text = tail + chunk;
        const parts = text.split('\r\n');
        tail = parts.pop()!;
        for (const line of parts) {
          lines++;
          // The amount is the 10th column; grant rows hold no quoted cells.
          if (lines > 1) total += Number(line.split(',')[9]);
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
    }).on('error', reject);
  });
  const growth = peak - baseline;
  console.info(`ledger.csv: ${lines - 1} rows, ${bytes} bytes, ${Date.now() - started} ms, retained heap growth at most ${growth} bytes over ${chunks} chunks`);
  expect(chunks).toBeGreaterThan(100);
  expect(lines - 1).toBe(ROWS);
  expect(total).toBe(expectedTotal);
  expect(growth).toBeLessThan(bytes / 4);
  await expectAuditOk(h, CH);
}, 120_000);
