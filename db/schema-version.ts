/**
 * Which migrations a database has, against the ones this build knows: the upgrade guard (a
 * database migrated by a newer build is refused before anything is written) and the staged
 * migrations of a restore (a backup is loaded at the schema it was taken from, then migrated).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

interface Journal {
  version: string;
  dialect: string;
  entries: JournalEntry[];
}

function readJournal(folder = MIGRATIONS_FOLDER): Journal {
  return JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
}

/** The migrations this build ships, in the order drizzle applies them (by `when`). */
export function knownMigrations(folder = MIGRATIONS_FOLDER): JournalEntry[] {
  return [...readJournal(folder).entries].sort((a, b) => a.when - b.when);
}

/** What a database records of its migrations: each one's `when` (drizzle's created_at), oldest first. */
export async function appliedMigrations(client: pg.ClientBase | pg.Pool): Promise<number[]> {
  const exists = await client.query<{ present: boolean }>(
    `SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`,
  );
  if (!exists.rows[0]?.present) return [];
  const rows = await client.query<{ created_at: string | number }>(
    'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at',
  );
  return rows.rows.map((r) => Number(r.created_at));
}

/** Thrown before any write when the database was migrated by a newer build than this one. */
export class SchemaTooNewError extends Error {
  constructor(readonly databaseAt: number, readonly knownUpTo: number) {
    super(
      `The database schema is newer than this version of Mission Link (database at migration ${databaseAt}, ` +
        `this version knows ${knownUpTo}): run the newer version, or restore a backup into an empty database.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * How many of the known migrations a database has applied; throws SchemaTooNewError when it has
 * one this build does not know (a `when` past the newest known one, or not in the journal).
 */
export async function schemaPosition(client: pg.ClientBase | pg.Pool, known = knownMigrations()): Promise<number> {
  const applied = await appliedMigrations(client);
  const knownWhens = new Set(known.map((m) => m.when));
  const unknown = applied.filter((when) => !knownWhens.has(when));
  if (unknown.length > 0) throw new SchemaTooNewError(applied.length, known.length);
  // Drizzle applies only migrations newer than the last applied one: a migration that arrived
  // with an older `when` than one already applied would be skipped for ever, silently.
  const last = applied.at(-1) ?? 0;
  const appliedSet = new Set(applied);
  const missing = known.filter((m) => m.when < last && !appliedSet.has(m.when));
  if (missing.length > 0) {
    throw new Error(
      `The database skipped migration${missing.length === 1 ? '' : 's'} ${missing.map((m) => m.tag).join(', ')} ` +
        '(added after a later one was applied): apply it by hand, or restore a backup into an empty database.',
    );
  }
  return applied.length;
}

/**
 * A temporary migrations folder holding the first `count` known migrations and their journal, for
 * drizzle's migrator to stop there. The caller removes it with the returned `remove`.
 */
export function migrationsFolderUpTo(count: number, folder = MIGRATIONS_FOLDER): { folder: string; remove(): void } {
  const journal = readJournal(folder);
  const entries = knownMigrations(folder).slice(0, count);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mission-link-migrations-'));
  fs.mkdirSync(path.join(dir, 'meta'));
  for (const entry of entries) fs.copyFileSync(path.join(folder, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }, null, 2));
  return { folder: dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
