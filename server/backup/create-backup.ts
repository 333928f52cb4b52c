/**
 * Writes a backup of the live database: one REPEATABLE READ, read-only transaction, so every
 * table is read at the same instant while the service keeps taking pledges (readers never block
 * writers in Postgres). Rows are streamed through a cursor; memory stays flat however big the
 * journal is.
 */
import fs from 'node:fs';
import type pg from 'pg';
import { appliedMigrations } from '../../db/schema-version.js';
import { BACKUP_FORMAT, BACKUP_VERSION, createBackupWriter, type BackupHeader } from './format.js';
import { channelFilter, productTables, quoteIdent } from './tables.js';
import { UsageError } from '../domain/usage-error.js';

const FETCH = 5_000;

export interface BackupOptions {
  /** Only this channel's rows (and the users they name). */
  channel?: string | undefined;
  /** Written into the header for the operator (package version). */
  appVersion: string;
}

export interface BackupSummary {
  file: string;
  bytes: number;
  rows: Record<string, number>;
  channel: string | null;
  migrations: number;
}

/** `mission-link-2026-05-01T20-15-00Z[-channel].backup.gz`: sorts by time, safe on every file system. */
export function defaultBackupName(now: Date, channel?: string): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `mission-link-${stamp}${channel ? `-${channel}` : ''}.backup.gz`;
}

export async function createBackup(pool: pg.Pool, file: string, options: BackupOptions): Promise<BackupSummary> {
  if (fs.existsSync(file)) throw new UsageError(`${file} already exists; choose another --out (a backup never overwrites a file).`);
  const client = await pool.connect();
  const writer = createBackupWriter(file);
  let open = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    const migrations = await appliedMigrations(client);
    if (migrations.length === 0) throw new UsageError('The database has no Mission Link schema yet; there is nothing to back up.');
    const all = await productTables(client);
    let channelId: number | undefined;
    if (options.channel !== undefined) {
      const found = await client.query<{ id: number }>('SELECT id FROM channels WHERE login = $1', [options.channel]);
      if (found.rows.length === 0) throw new UsageError(`No channel "${options.channel}" in this database.`);
      channelId = found.rows[0]!.id;
    }
    const tables = all.flatMap((t) => {
      if (channelId === undefined) return [{ table: t, where: null as string | null }];
      const where = channelFilter(t, all);
      return where === null ? [] : [{ table: t, where }];
    });
    const header: BackupHeader = {
      '@backup': BACKUP_FORMAT,
      version: BACKUP_VERSION,
      app: options.appVersion,
      createdAt: new Date().toISOString(),
      channel: options.channel ?? null,
      migrations,
      tables: tables.map((t) => t.table.name),
    };
    await writer.header(header);
    const rows: Record<string, number> = {};
    for (const { table, where } of tables) {
      await writer.table(table.name);
      let count = 0;
      await client.query(
        `DECLARE backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${quoteIdent(table.name)} t${where ? ` WHERE ${where}` : ''}`,
        where ? [channelId] : [],
      );
      for (;;) {
        const batch = await client.query<{ j: string }>(`FETCH ${FETCH} FROM backup_rows`);
        if (batch.rows.length === 0) break;
        await writer.rows(batch.rows.map((r) => r.j));
        count += batch.rows.length;
      }
      rows[table.name] = count;
      await client.query('CLOSE backup_rows');
    }
    await client.query('COMMIT');
    open = false;
    const bytes = await writer.finish();
    return { file, bytes, rows, channel: options.channel ?? null, migrations: migrations.length };
  } catch (err) {
    await writer.abort();
    throw err;
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
