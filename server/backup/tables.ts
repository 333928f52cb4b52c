/**
 * The tables a backup saves: every table of the app's schema (`public`), found in the catalog so a
 * table added by a later migration is saved without a change here, ordered so that each table is
 * loaded after the ones it refers to.
 */
import type pg from 'pg';

type Queryable = pg.ClientBase | pg.Pool;

/**
 * References checked by triggers rather than foreign keys (pledges and the journal check them once
 * per statement): invisible to the catalog's foreign keys, so named here.
 */
const TRIGGER_REFERENCES: Record<string, string[]> = {
  pledges: ['missions', 'users'],
  transfers: ['accounts', 'missions', 'pledges'],
};

export interface TableInfo {
  name: string;
  columns: string[];
}

/** Every table in `public`, parents before children (ties by name, for a stable file). */
export async function productTables(client: Queryable): Promise<TableInfo[]> {
  const columns = await client.query<{ table_name: string; column_name: string }>(`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name, c.ordinal_position`);
  const byTable = new Map<string, string[]>();
  for (const r of columns.rows) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);

  const fks = await client.query<{ child: string; parent: string }>(`
    SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
    JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
    WHERE k.contype = 'f' AND k.connamespace = 'public'::regnamespace AND ch.oid <> pa.oid`);
  const parents = new Map<string, Set<string>>();
  for (const name of byTable.keys()) parents.set(name, new Set(TRIGGER_REFERENCES[name]?.filter((p) => byTable.has(p)) ?? []));
  for (const r of fks.rows) parents.get(r.child)?.add(r.parent);

  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < byTable.size) {
    const ready = [...byTable.keys()].filter((n) => !placed.has(n) && [...parents.get(n)!].every((p) => placed.has(p))).sort();
    // A cycle cannot be loaded table by table; it would need deferred constraints.
    if (ready.length === 0) throw new Error(`tables refer to each other in a cycle: ${[...byTable.keys()].filter((n) => !placed.has(n)).join(', ')}`);
    for (const n of ready) {
      ordered.push(n);
      placed.add(n);
    }
  }
  return ordered.map((name) => ({ name, columns: byTable.get(name)! }));
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const quoteIdent = ident;

/**
 * The WHERE clause that keeps one channel's rows of `table` (`$1` is the channel id), or null when
 * the table holds nothing of one channel (it is then left out of a one-channel backup).
 */
export function channelFilter(table: TableInfo, all: readonly TableInfo[]): string | null {
  if (table.name === 'channels') return 'id = $1';
  if (table.columns.includes('channel_id')) return 'channel_id = $1';
  if (table.name === 'users') {
    const sources = all.flatMap((t) =>
      t.columns.includes('channel_id')
        ? ['user_id', 'proposer_id'].filter((c) => t.columns.includes(c)).map((c) => `SELECT ${c} FROM ${ident(t.name)} WHERE channel_id = $1`)
        : [],
    );
    return sources.length === 0 ? null : `user_id IN (${sources.join(' UNION ')})`;
  }
  if (table.name === 'idempotency_keys') return `scope = 'channel:' || $1::text`;
  if (table.name === 'twitch_tokens') return `role = 'broadcaster' AND user_id = (SELECT broadcaster_id FROM channels WHERE id = $1)`;
  return null;
}
