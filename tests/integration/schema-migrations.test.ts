/**
 * The drizzle schema (db/schema.ts), drizzle-kit's latest snapshot (db/migrations/meta/) and the
 * hand-written migrations describe one database. The snapshot is what `npm run db:generate`
 * diffs against: if it lags the schema, the next generated migration repeats changes the SQL
 * files already made. The migrations are what runs: if they lag the schema, the code expects a
 * table, column, index or constraint the database lacks. Triggers and functions exist only in
 * the SQL files and are not compared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schema from '../../db/schema.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const meta = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations/meta');

interface SnapshotTable {
  name: string;
  columns: Record<string, { name: string; type: string; notNull: boolean; primaryKey: boolean; typeSchema?: string }>;
  indexes: Record<string, { name: string }>;
  foreignKeys: Record<string, { name: string }>;
  compositePrimaryKeys: Record<string, { name: string }>;
  uniqueConstraints: Record<string, { name: string }>;
  checkConstraints: Record<string, { name: string }>;
}
type DrizzleJson = ReturnType<typeof generateDrizzleJson>;
/** The parts of drizzle-kit's snapshot these checks read. */
interface Snapshot {
  tables: Record<string, SnapshotTable>;
  enums: Record<string, { name: string; values: string[] }>;
}

const fromSchema = (): DrizzleJson => generateDrizzleJson(schema as Record<string, unknown>);
const parts = (json: DrizzleJson) => json as unknown as Snapshot;

function latestSnapshot(): DrizzleJson {
  const files = readdirSync(meta).filter((f) => /^\d{4}_snapshot\.json$/.test(f)).sort();
  return JSON.parse(readFileSync(path.join(meta, files.at(-1)!), 'utf8')) as DrizzleJson;
}

/** Serial types are integers with a sequence default in the catalog. */
const catalogType = (type: string) => ({ serial: 'integer', bigserial: 'bigint', smallserial: 'smallint' })[type] ?? type;

/** Every table of the schema as the catalog would show it: columns, indexes and constraints by name. */
function expectedShape(snapshot: Snapshot) {
  return Object.fromEntries(
    Object.values(snapshot.tables).map((t) => {
      const singlePk = Object.values(t.columns).some((c) => c.primaryKey);
      return [
        t.name,
        {
          columns: Object.fromEntries(Object.values(t.columns).map((c) => [c.name, `${catalogType(c.type)}${c.notNull ? ' not null' : ''}`])),
          indexes: Object.values(t.indexes).map((i) => i.name).sort(),
          constraints: [
            ...Object.values(t.foreignKeys).map((c) => `f ${c.name}`),
            ...Object.values(t.checkConstraints).map((c) => `c ${c.name}`),
            ...Object.values(t.uniqueConstraints).map((c) => `u ${c.name}`),
            ...Object.values(t.compositePrimaryKeys).map((c) => `p ${c.name}`),
            ...(singlePk ? [`p ${t.name}_pkey`] : []),
          ].sort(),
        },
      ];
    }),
  );
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('schema_migrations');
});
afterAll(async () => {
  await db?.drop();
});

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return (await db.db.execute(query)).rows as T[];
}

/** The public schema of the migrated database, in the shape of `expectedShape`. */
async function migratedShape() {
  const columns = await rows<{ table: string; name: string; type: string; not_null: boolean }>(sql`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`);
  const indexes = await rows<{ table: string; name: string }>(sql`
    SELECT t.relname AS table, i.relname AS name
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relnamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u'))`);
  const constraints = await rows<{ table: string; name: string; type: string }>(sql`
    SELECT k.conrelid::regclass::text AS table, k.conname AS name, k.contype AS type
    FROM pg_constraint k WHERE k.connamespace = 'public'::regnamespace AND k.contype IN ('c', 'f', 'u', 'p') AND k.conrelid <> 0`);
  const shape: Record<string, { columns: Record<string, string>; indexes: string[]; constraints: string[] }> = {};
  const table = (name: string) => (shape[name] ??= { columns: {}, indexes: [], constraints: [] });
  for (const c of columns) table(c.table).columns[c.name] = `${c.type}${c.not_null ? ' not null' : ''}`;
  for (const i of indexes) table(i.table).indexes.push(i.name);
  for (const k of constraints) table(k.table).constraints.push(`${k.type} ${k.name}`);
  for (const t of Object.values(shape)) {
    t.indexes.sort();
    t.constraints.sort();
  }
  return shape;
}

describe('schema, snapshot and migrations agree', () => {
  it('db:generate finds nothing to migrate: the latest snapshot is the schema', async () => {
    expect(await generateMigration(latestSnapshot(), fromSchema())).toEqual([]);
  });

  it('the migrated database has the schema’s tables, columns, indexes and constraints', async () => {
    const migrated = await migratedShape();
    const expected = expectedShape(parts(fromSchema()));
    expect(Object.keys(expected).length).toBeGreaterThan(15);
    expect(migrated).toEqual(expected);
  });

  it('the migrated database has the schema’s enums, value for value', async () => {
    const found = await rows<{ name: string; values: string[] }>(sql`
      SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS values
      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname`);
    const expected = Object.values(parts(fromSchema()).enums).map((e) => ({ name: e.name, values: e.values }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(found.sort(byName)).toEqual(expected.sort(byName));
  });
});
