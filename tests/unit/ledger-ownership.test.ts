/**
 * One owner for the ledger: only server/ledger/ writes the `accounts` and `transfers` tables.
 * Everything else (missions, pledges, accrual, redemptions, imports, grants, settlement) calls the
 * ledger's functions, so the starting balance, the lock order and the journal's shape are decided
 * in one place. The schema and migrations create the tables, and restore copies whole tables by
 * name, so they are exempt. Reads are allowed anywhere a layer allows SQL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Folders whose TypeScript is checked, relative to the repository. */
const CHECKED = ['server', 'bot', 'db'];
/** Where writes to the ledger's tables are allowed. */
const ALLOWED = [/^server\/ledger\//, /^db\/schema\.ts$/, /^db\/migrations\//, /^server\/backup\//];

const TABLES = '(?:accounts|transfers)';
/** A write statement naming a ledger table, in SQL text or through drizzle's query builder. */
const WRITES = [
  new RegExp(`\\b(?:INSERT\\s+INTO|UPDATE|DELETE\\s+FROM|TRUNCATE(?:\\s+TABLE)?|COPY|MERGE\\s+INTO|ALTER\\s+TABLE)\\s+(?:ONLY\\s+)?(?:public\\.)?"?${TABLES}"?(?![\\w.])`, 'gi'),
  new RegExp(`\\.(?:insert|update|delete)\\(\\s*${TABLES}\\s*\\)`, 'g'),
];

interface LedgerWrite {
  file: string;
  line: number;
  text: string;
}

/** The writes to `accounts` or `transfers` in `source`, as if it were the file `file`; none where they are allowed. */
function ledgerWrites(file: string, source: string): LedgerWrite[] {
  if (ALLOWED.some((re) => re.test(file))) return [];
  const found: LedgerWrite[] = [];
  for (const re of WRITES) {
    for (const match of source.matchAll(re)) {
      const line = source.slice(0, match.index).split('\n').length;
      found.push({ file, line, text: match[0].replace(/\s+/g, ' ') });
    }
  }
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : tsFiles(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

describe('only server/ledger/ writes accounts and transfers', () => {
  it('no file outside the ledger writes them', () => {
    const files = CHECKED.flatMap(tsFiles);
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('server/ledger/transfers.ts');
    const writes = files.flatMap((file) => ledgerWrites(file, readFileSync(path.join(root, file), 'utf8')));
    expect(writes).toEqual([]);
  });

  it('finds a planted write in a service, in SQL and through drizzle', () => {
    const planted = [
      "import { sql } from 'drizzle-orm';",
      'export const credit = (tx, id) => tx.execute(sql`',
      '  UPDATE accounts SET balance = balance + 1 WHERE id = ${id}`);',
      'export const journal = (tx) => tx.execute(sql`INSERT INTO transfers (channel_id) VALUES (1)`);',
      'export const wipe = (tx) => tx.execute(sql`delete from "accounts" where id = 1`);',
      'export const viaBuilder = (db, row) => db.insert(transfers).values(row);',
    ].join('\n');
    const writes = ledgerWrites('server/services/example.ts', planted);
    expect(writes.map((w) => [w.line, w.text])).toEqual([
      [3, 'UPDATE accounts'],
      [4, 'INSERT INTO transfers'],
      [5, 'delete from "accounts"'],
      [6, '.insert(transfers)'],
    ]);
  });

  it('allows the same write inside the ledger, and reads anywhere', () => {
    const write = 'export const q = sql`UPDATE accounts SET balance = 0 WHERE id = 1`;';
    expect(ledgerWrites('server/ledger/example.ts', write)).toEqual([]);
    const reads = [
      'sql`SELECT balance FROM accounts WHERE id = 1 FOR UPDATE`',
      'sql`SELECT t.id FROM transfers t JOIN accounts a ON a.id = t.to_account`',
      'sql`UPDATE accounts_archive SET x = 1`',
      'sql`UPDATE pledges p SET settled_at = now() FROM accounts a WHERE a.id = p.id`',
    ].join('\n');
    expect(ledgerWrites('server/services/example.ts', reads)).toEqual([]);
  });
});
