/**
 * `arrayParam` sends batch columns as array literals it builds itself: the same text node-postgres
 * would build, and Postgres reads back exactly the values sent, whatever the strings hold.
 */
import { createRequire } from 'node:module';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayLiteral, arrayParam } from '../../db/array-param.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const NASTY = ['', 'plain', 'with space', 'a,b', '{braces}', 'quote"inside', 'back\\slash', '\\"', 'NULL', 'null', ' lead', 'ünï©ødé 🎉', "it's", 'tab\there', 'line\nbreak'];

/** node-postgres's own conversion of a parameter (an internal module without types). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('array_param');
});
afterAll(async () => {
  await db?.drop();
});

describe('arrayLiteral', () => {
  it('means what node-postgres would send for numbers, strings and nulls', () => {
    for (const values of [[], [1, 2, 3], [-5, 0, 9_007_199_254_740_991], NASTY, [null, 'x', undefined, 7]]) {
      const ours = arrayLiteral(values)!;
      const theirs = prepareValue(values) as string;
      // node-postgres quotes numbers too ("1"); both are the same array to Postgres (checked below).
      expect(ours.replace(/"(-?\d+)"/g, '$1')).toBe(theirs.replace(/"(-?\d+)"/g, '$1'));
    }
  });

  it('leaves other element types to node-postgres', () => {
    expect(arrayLiteral([new Date(0)])).toBeNull();
    expect(arrayLiteral([true])).toBeNull();
    expect(arrayLiteral([Number.NaN])).toBeNull();
  });
});

describe('arrayParam against Postgres', () => {
  it('round-trips every string exactly, nulls as nulls', async () => {
    const values = [...NASTY, null];
    const result = await db.db.execute(sql`SELECT ${arrayParam(values)}::text[] AS v`);
    expect((result.rows[0] as { v: (string | null)[] }).v).toEqual(values);
  });

  it('round-trips bigints and feeds unnest as before', async () => {
    const values = [1, -2, 9_007_199_254_740_991, null];
    const result = await db.db.execute(sql`SELECT n FROM unnest(${arrayParam(values)}::bigint[]) WITH ORDINALITY AS t(n, i) ORDER BY i`);
    expect(result.rows.map((r) => (r as { n: number | null }).n)).toEqual(values);
  });
});
