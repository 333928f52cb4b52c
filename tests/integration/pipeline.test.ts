/**
 * `inPipeline`: statements sent without waiting for each other still run in call order, in one
 * transaction that commits only when every statement and the caller's own checks succeeded; the
 * write functions a pledge batch sends COMMIT behind have sent everything when they return.
 * `tableRow`: a raw `SELECT *` row mapped as drizzle's own select maps it.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inPipeline, sendNow, tableRow } from '../../db/pipeline.js';
import { channels, missions, users } from '../../db/schema.js';
import { writePledgeBatch } from '../../server/ledger/pledge-batch.js';
import { applyDeltas } from '../../server/ledger/transfers.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('pipeline');
  await db.pool.query('CREATE TABLE pipe_rows (id int PRIMARY KEY, step bigint NOT NULL)');
  await db.pool.query('CREATE SEQUENCE pipe_steps');
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.pool.query('TRUNCATE pipe_rows');
});

const insert = (id: number) => sql`INSERT INTO pipe_rows (id, step) VALUES (${id}, nextval('pipe_steps')) RETURNING step`;
const committedIds = async () => (await db.pool.query('SELECT id FROM pipe_rows ORDER BY step')).rows.map((r: { id: number }) => r.id);
const pgCode = (err: unknown) => (err as { code?: string }).code;

describe('inPipeline', () => {
  it('runs statements sent together in the order they were sent, and commits them together', async () => {
    const steps = await inPipeline(db.pool, async (tx) => {
      const sent = [3, 1, 2].map((id) => tx.execute(insert(id)));
      const seen = tx.execute(sql`SELECT count(*)::int AS n FROM pipe_rows`);
      const results = await Promise.all([...sent, seen]);
      return results.map((r) => r.rows[0]);
    });
    const [a, b, c, count] = steps as { step?: number; n?: number }[];
    expect(Number(a!.step)).toBeLessThan(Number(b!.step));
    expect(Number(b!.step)).toBeLessThan(Number(c!.step));
    expect(count!.n).toBe(3); // the read behind the inserts saw all three
    expect(await committedIds()).toEqual([3, 1, 2]);
  });

  it('keeps call order for drizzle statements started with sendNow, however they are awaited', async () => {
    await db.db.transaction(async (tx) => {
      const first = sendNow(tx, insert(10));
      const second = sendNow(tx, insert(11));
      await Promise.all([second, first]);
    });
    expect(await committedIds()).toEqual([10, 11]);
  });

  it('rolls everything back when a statement fails, hands the caller its error, and returns a clean connection', async () => {
    const failed = await inPipeline(db.pool, async (tx) => {
      await Promise.all([tx.execute(insert(1)), tx.execute(insert(1)), tx.execute(insert(2))]);
    }).catch((err: unknown) => err);
    expect(pgCode(failed)).toBe('23505');
    expect(await committedIds()).toEqual([]);
    // Every connection the pool hands out next is outside any transaction.
    const states = await Promise.all(Array.from({ length: 5 }, () => db.pool.query<{ s: string }>(`SELECT 'ok' AS s`)));
    expect(states.map((r) => r.rows[0]!.s)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(await inPipeline(db.pool, async (tx) => (await tx.execute(sql`SELECT 1 AS one`)).rows[0])).toEqual({ one: 1 });
  });

  it("rolls back when the caller's own check fails after its statements succeeded", async () => {
    const failed = await inPipeline(db.pool, async (tx) => {
      await tx.execute(insert(5));
      throw new Error('moved 0 of 1 rows');
    }).catch((err: unknown) => err);
    expect((failed as Error).message).toBe('moved 0 of 1 rows');
    expect(await committedIds()).toEqual([]);
  });

  it('does not report success when a statement nobody awaited failed', async () => {
    const failed = await inPipeline(db.pool, async (tx) => {
      await tx.execute(insert(7));
      const forgotten = Promise.resolve(tx.execute(insert(7)));
      forgotten.catch(() => undefined);
    }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(Error);
    expect(await committedIds()).toEqual([]);
  });
});

describe('inPipeline commit()', () => {
  it('sends COMMIT behind the statements already sent, and they commit', async () => {
    const steps = await inPipeline(db.pool, async (tx) => {
      const sent = [tx.execute(insert(1)), tx.execute(insert(2))];
      tx.commit();
      return (await Promise.all(sent)).map((r) => Number(r.rows[0]!.step));
    });
    expect(steps[0]).toBeLessThan(steps[1]!);
    expect(await committedIds()).toEqual([1, 2]);
  });

  it('rolls back when a statement sent before COMMIT fails: COMMIT does not commit what came before it', async () => {
    const failed = await inPipeline(db.pool, async (tx) => {
      const sent = [tx.execute(insert(1)), tx.execute(sql`SELECT ml_check(false, 'checked in the statement')`)];
      tx.commit();
      await Promise.all(sent);
    }).catch((err: unknown) => err);
    expect((failed as { code?: string; message?: string }).message).toBe('checked in the statement');
    expect(await committedIds()).toEqual([]);
  });

  it('refuses a statement sent after COMMIT and says so', async () => {
    const failed = await inPipeline(db.pool, async (tx) => {
      const first = tx.execute(insert(1));
      tx.commit();
      await first;
      await tx.execute(insert(2));
    }).catch((err: unknown) => err);
    expect((failed as Error).message).toBe('a statement was sent after COMMIT');
    expect(await committedIds()).toEqual([1]);
  });
});

describe('statements sent before COMMIT', () => {
  it('writePledgeBatch and applyDeltas have sent every statement by the time they return', () => {
    // A runner that records what was sent and never answers: a statement that waited for the
    // one before it would not be sent at all.
    const sent: string[] = [];
    const recorder = { execute: (query: SQL) => ((sent.push(new PgDialect().sqlToQuery(query).sql), new Promise(() => undefined)) as Promise<{ rows: [] }>) };
    const pledge = { missionId: 1, userId: 'u', amount: 5, idempotencyKey: null, walletId: 10, escrowId: 20, actor: 'chat:u' };
    void writePledgeBatch(recorder, 1, { pledges: [pledge], leading: [], deltas: new Map([[10, -5], [20, 3], [21, 2]]), locked: new Set([10]) });
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/INSERT INTO pledges/);
    expect(sent[1]).toMatch(/FOR NO KEY UPDATE/); // the shared rows locked in id order
    expect(sent[2]).toMatch(/UPDATE accounts SET balance/);
    sent.length = 0;
    void applyDeltas(recorder, new Map([[1, 1]]));
    expect(sent).toHaveLength(1);
  });
});

describe('tableRow', () => {
  it('maps raw rows of every column type as drizzle maps them', async () => {
    const [channel] = await db.db
      .insert(channels)
      .values({ login: 'pipechan', overlayKey: 'k', settings: { locale: 'ko', minPledge: 5 } })
      .returning();
    await db.db.insert(users).values({ userId: 'u-pipe', login: 'piper', displayName: 'Piper' });
    const [mission] = await db.db
      .insert(missions)
      .values({ channelId: channel!.id, number: 1, text: 'Beat it', status: 'open', proposerId: 'u-pipe', durationMs: 1_800_000, openedAt: new Date(1_000) })
      .returning();
    for (const [table, id] of [[channels, channel!.id], [missions, mission!.id]] as const) {
      const raw = await db.pool.query(`SELECT * FROM ${table === channels ? 'channels' : 'missions'} WHERE id = $1`, [id]);
      const expected = await db.db.select().from(table).where(eq(table.id, id));
      expect(tableRow(table, raw.rows[0])).toEqual(expected[0]);
    }
  });
});
