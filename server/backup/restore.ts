/**
 * Loads a backup into an empty database. Nothing is written until the file has been read in full
 * and checked (format, version, checksum) and the target found empty. Then the target is migrated
 * to the schema the backup was taken at, every row is loaded in one transaction (the schema's
 * constraints and reference triggers check each one), sequences are moved past the loaded ids, the
 * schema is migrated to this build's head, and the ledger audit runs.
 */
import type { DbHandle } from '../../db/client.js';
import { runMigrations, runMigrationsUpTo } from '../../db/migrate.js';
import { knownMigrations, schemaPosition } from '../../db/schema-version.js';
import { auditAll, type AuditReport } from '../services/ledger-audit.js';
import { BackupRefused, readBackupRows, verifyBackup, type BackupHeader } from './format.js';
import { productTables, quoteIdent } from './tables.js';

export interface RestoreSummary {
  header: BackupHeader;
  rows: Record<string, number>;
  audit: Map<string, AuditReport>;
}

/** The first table holding rows, or null when every app table is empty (or absent). */
async function firstNonEmptyTable(handle: DbHandle): Promise<string | null> {
  for (const table of await productTables(handle.pool)) {
    const found = await handle.pool.query(`SELECT 1 FROM ${quoteIdent(table.name)} LIMIT 1`);
    if ((found.rowCount ?? 0) > 0) return table.name;
  }
  return null;
}

export async function restoreBackup(handle: DbHandle, file: string, log: (line: string) => void = () => undefined): Promise<RestoreSummary> {
  const { header, trailer } = await verifyBackup(file);
  const known = knownMigrations();
  const knownWhens = new Set(known.map((m) => m.when));
  const stage = header.migrations.length;
  if (header.migrations.some((when) => !knownWhens.has(when)) || stage > known.length) {
    throw new BackupRefused(
      `${file} was made by a newer Mission Link (its schema has ${stage} migrations, this version knows ${known.length}): restore it with that version or newer; nothing was restored.`,
    );
  }
  // Loading stops at the backup's schema, the first `stage` migrations of this build: the source must have had exactly those.
  if (header.migrations.some((when, i) => known[i]?.when !== when)) {
    throw new BackupRefused(`${file} was taken from a schema this version did not produce (its migrations differ from this version's first ${stage}); nothing was restored.`);
  }
  // Also refuses a target migrated by a newer build (SchemaTooNewError) before any write.
  const targetAt = await schemaPosition(handle.pool);
  const busy = await firstNonEmptyTable(handle);
  if (busy !== null) {
    throw new BackupRefused(`The target database is not empty (table ${busy} has rows): restore needs an empty database; nothing was restored.`);
  }
  if (targetAt > stage) {
    throw new BackupRefused(
      `The target database is already at a newer schema (${targetAt} migrations) than the backup (${stage}): restore into a fresh database; nothing was restored.`,
    );
  }

  log(`Backup verified: ${Object.values(trailer['@end'].rows).reduce((a, b) => a + b, 0)} rows from ${header.createdAt}${header.channel ? ` (channel ${header.channel})` : ''}.`);
  await runMigrationsUpTo(handle, stage);

  const client = await handle.pool.connect();
  const rows: Record<string, number> = Object.fromEntries(header.tables.map((t) => [t, 0]));
  try {
    await client.query('BEGIN');
    await readBackupRows(file, async (table, lines) => {
      if (!header.tables.includes(table)) throw new BackupRefused(`${file} names a table it did not announce (${table}); nothing was restored.`);
      await client.query(`INSERT INTO ${quoteIdent(table)} SELECT * FROM json_populate_recordset(NULL::${quoteIdent(table)}, $1::json)`, [
        `[${lines.join(',')}]`,
      ]);
      rows[table] = (rows[table] ?? 0) + lines.length;
    });
    for (const [table, expected] of Object.entries(trailer['@end'].rows)) {
      if ((rows[table] ?? 0) !== expected) throw new BackupRefused(`${file}: table ${table} has ${rows[table] ?? 0} rows, the trailer says ${expected}; nothing was restored.`);
    }
    // Serial ids were loaded as they were; the next insert must not reuse one.
    const sequences = await client.query<{ table_name: string; column_name: string; seq: string }>(`
      SELECT c.table_name, c.column_name, pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) AS seq
      FROM information_schema.columns c
      WHERE c.table_schema = 'public' AND pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) IS NOT NULL`);
    for (const s of sequences.rows) {
      await client.query(
        `SELECT setval($1, COALESCE((SELECT max(${quoteIdent(s.column_name)}) FROM ${quoteIdent(s.table_name)}), 1),
                (SELECT max(${quoteIdent(s.column_name)}) IS NOT NULL FROM ${quoteIdent(s.table_name)}))`,
        [s.seq],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  log(`Loaded ${Object.values(rows).reduce((a, b) => a + b, 0)} rows; migrating to this version's schema.`);
  await runMigrations(handle);
  const audit = await auditAll(handle.db);
  return { header, rows, audit };
}
