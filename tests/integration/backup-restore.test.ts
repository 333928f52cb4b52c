/**
 * Backup while a pledge storm runs, restore into a fresh database: the restored ledger is the
 * source's at one instant (audit clean, every row identical to the source's, totals equal to the
 * source journal's rows up to that instant). Damaged, truncated and newer files and non-empty
 * targets are refused by `npm run restore` with one line, the target untouched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { appliedMigrations } from '../../db/schema-version.js';
import { createBackup } from '../../server/backup/create-backup.js';
import { BACKUP_FORMAT, createBackupWriter } from '../../server/backup/format.js';
import { restoreBackup } from '../../server/backup/restore.js';
import type { Actor, ChatUser } from '../../server/domain/actor.js';
import { auditAll } from '../../server/services/ledger-audit.js';
import { settleMission } from '../../server/services/settlement.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase as createEmptyDatabase, type TestDatabase as EmptyDatabase } from '../support/services.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

let world: ServiceWorld;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-backup-test-'));
const empties: EmptyDatabase[] = [];

const viewer = (i: number): ChatUser => ({ userId: `v${i}`, login: `viewer${i}`, displayName: `Viewer${i}` });
const actorOf = (u: ChatUser): Actor => ({ kind: 'chat', channel: world.channel.login, user: u, role: 'viewer' });

async function emptyDatabase(label: string): Promise<EmptyDatabase> {
  const db = await createEmptyDatabase(label);
  empties.push(db);
  return db;
}

async function pledgeCount(): Promise<number> {
  return Number((await world.database.db.execute(sql`SELECT count(*) AS n FROM pledges`)).rows[0]!.n);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  // The storm commits a batch every few milliseconds; each check waits on a query, not a timer.
  while (!(await check())) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Rows of a table as id → JSON text, for comparing two databases row by row. */
async function rowsById(url: string, table: string): Promise<Map<number, string>> {
  const handle = createDb(url, { max: 1 });
  try {
    const r = await handle.pool.query<{ id: number; j: string }>(`SELECT id, row_to_json(t)::text AS j FROM ${table} t`);
    return new Map(r.rows.map((row) => [Number(row.id), row.j]));
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  world = await createServiceWorld('backup_src', 'backupchan');
  const { services, channel, hostActor } = world;
  // A settled mission (paid pledges, a payout row) and a refunded one before the storm.
  for (const [text, verdict] of [['Paid mission', 'success'], ['Refunded mission', 'fail']] as const) {
    const proposer = viewer(900);
    const { mission } = await services.missions.propose(channel, { text, amount: 20, proposer }, actorOf(proposer));
    for (let i = 0; i < 5; i++) await services.missions.pledge(channel, { number: mission.number, amount: 15, user: viewer(i) }, actorOf(viewer(i)));
    await services.verdicts.act(channel, mission.number, verdict, hostActor);
    const id = Number((await world.database.db.execute(sql`SELECT id FROM missions WHERE channel_id = ${channel.id} AND number = ${mission.number}`)).rows[0]!.id);
    await settleMission(world.database.db, id, { batchSize: 2, now: () => new Date() });
  }
});

afterAll(async () => {
  await world?.close();
  for (const db of empties) await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup during a pledge storm, restore into a fresh database', () => {
  it('restores one instant of the source: audit clean, rows identical, totals equal the journal up to it', async () => {
    const { services, channel } = world;
    const opened = await Promise.all(
      [1, 2, 3].map((k) => services.missions.propose(channel, { text: `Storm ${k}`, amount: 10, proposer: viewer(800 + k) }, actorOf(viewer(800 + k)))),
    );
    let stop = false;
    const storm = Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let round = 0; !stop; round++) {
          const user = viewer(100 + lane * 50 + (round % 50));
          const number = opened[round % opened.length]!.mission.number;
          await services.missions.pledge(channel, { number, amount: 10 + (round % 3), user }, actorOf(user)).catch((err: unknown) => {
            stop = true;
            throw err;
          });
        }
      }),
    );
    const before = await pledgeCount();
    await until(async () => stop || (await pledgeCount()) >= before + 50);
    const file = path.join(dir, 'storm.backup.gz');
    const summary = await createBackup(world.database.pool, file, { appVersion: 'test' });
    const atBackupEnd = await pledgeCount();
    // The storm is still committing after the backup finished: it ran through it.
    await until(async () => stop || (await pledgeCount()) >= atBackupEnd + 50);
    expect(stop).toBe(false);
    stop = true;
    await storm;

    const target = await emptyDatabase('backup_dst');
    const handle = createDb(target.connectionString, { max: 4 });
    try {
      const restored = await restoreBackup(handle, file);
      expect([...restored.audit.values()].map((r) => r.violations)).toEqual([[]]);
      expect(restored.rows).toEqual(summary.rows);
      const restoredPledges = Number((await handle.pool.query('SELECT count(*) AS n FROM pledges')).rows[0].n);
      expect(restoredPledges).toBeGreaterThanOrEqual(before + 50);
      expect(restoredPledges).toBeLessThan(await pledgeCount());

      // Every restored journal row, pledge and account is the source's row, unchanged.
      const [srcTransfers, dstTransfers] = await Promise.all([rowsById(world.database.url, 'transfers'), rowsById(target.connectionString, 'transfers')]);
      for (const [id, row] of dstTransfers) expect(srcTransfers.get(id)).toBe(row);
      const [srcPledges, dstPledges] = await Promise.all([rowsById(world.database.url, 'pledges'), rowsById(target.connectionString, 'pledges')]);
      for (const [id, row] of dstPledges) expect(srcPledges.get(id)).toBe(row);

      // Totals: what the source's journal says for exactly the restored rows equals the restored balances.
      const ids = [...dstTransfers.keys()];
      const src = await world.database.pool.query<{ account: number; total: number }>(
        `SELECT account, sum(delta) AS total FROM (
           SELECT to_account AS account, amount AS delta FROM transfers WHERE id = ANY($1)
           UNION ALL SELECT from_account, -amount FROM transfers WHERE id = ANY($1)) f GROUP BY account`,
        [ids],
      );
      const dst = await handle.pool.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts WHERE balance <> 0');
      expect(new Map(dst.rows.map((r) => [Number(r.id), Number(r.balance)]))).toEqual(
        new Map(src.rows.filter((r) => Number(r.total) !== 0).map((r) => [Number(r.account), Number(r.total)])),
      );
      const minted = Number((await handle.pool.query(`SELECT -balance AS m FROM accounts WHERE kind = 'mint'`)).rows[0].m);
      expect(minted).toBeGreaterThan(0);

      // Sequences moved past the loaded ids: new writes in the restored database work.
      const next = await handle.pool.query('INSERT INTO users (user_id, login, display_name) VALUES ($1, $1, $1) RETURNING user_id', ['after-restore']);
      expect(next.rowCount).toBe(1);
      const seq = await handle.pool.query(`SELECT nextval(pg_get_serial_sequence('transfers', 'id')) AS n`);
      expect(Number(seq.rows[0].n)).toBeGreaterThan(Math.max(...ids));
    } finally {
      await handle.close();
    }
    expect((await auditAll(world.database.db)).get('backupchan')?.ok).toBe(true);
  });
});

describe('npm run backup / npm run restore (child processes)', () => {
  let good: string;
  beforeAll(async () => {
    good = path.join(dir, 'cli.backup.gz');
    const result = await runCli('server/cli/backup.ts', ['--out', good], { DATABASE_URL: world.database.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Backup written: ${good}`);
  });

  const restoreInto = async (file: string, label: string) => {
    const target = await emptyDatabase(label);
    const result = await runCli('server/cli/restore.ts', [file], { DATABASE_URL: target.connectionString });
    const handle = createDb(target.connectionString, { max: 1 });
    const migrations = await appliedMigrations(handle.pool).finally(() => handle.close());
    return { result, migrations, target };
  };

  it('restores the CLI backup and reports the audit clean with the channel totals', async () => {
    const { result, migrations } = await restoreInto(good, 'cli_dst');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const t = await world.services.channels.totals(world.channel.id);
    expect(result.stdout).toContain(`backupchan: ledger ok; circulating ${t.circulating}, escrow ${t.escrow}, treasury ${t.treasury}, minted ${t.minted}`);
    expect(result.stdout).toMatch(/Restore complete .*ledger audit clean/);
    expect(migrations.length).toBeGreaterThan(0);
  });

  it('refuses an altered file (checksum), one line, target untouched', async () => {
    // Re-compress with one row changed: the gzip is valid, only the checksum can tell.
    const text = zlib.gunzipSync(fs.readFileSync(good)).toString('utf8');
    const altered = text.replace(/"amount":15,/, '"amount":16,');
    expect(altered).not.toBe(text);
    const file = path.join(dir, 'altered.backup.gz');
    fs.writeFileSync(file, zlib.gzipSync(altered));
    const { result, migrations } = await restoreInto(file, 'cli_altered');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([`${file} was altered or damaged (checksum mismatch); nothing was restored.`]);
    expect(migrations).toEqual([]);
  });

  it('refuses a truncated file, one line, target untouched', async () => {
    const bytes = fs.readFileSync(good);
    const file = path.join(dir, 'truncated.backup.gz');
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const { result, migrations } = await restoreInto(file, 'cli_truncated');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/is truncated/);
    expect(migrations).toEqual([]);
  });

  it('refuses a file from a newer version (a migration this build does not know), target untouched', async () => {
    const file = path.join(dir, 'newer.backup.gz');
    const writer = createBackupWriter(file);
    const known = await appliedMigrations(world.database.pool);
    await writer.header({ '@backup': BACKUP_FORMAT, version: 1, app: '9.9.9', createdAt: new Date().toISOString(), channel: null, migrations: [...known, 4_102_444_800_000], tables: [] });
    await writer.finish();
    const { result, migrations } = await restoreInto(file, 'cli_newer');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/made by a newer Mission Link/);
    expect(migrations).toEqual([]);
  });

  it('refuses a non-empty target, one line, its data unchanged', async () => {
    const result = await runCli('server/cli/restore.ts', [good], { DATABASE_URL: world.database.url });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^The target database is not empty \(table \w+ has rows\)/);
    expect((await auditAll(world.database.db)).get('backupchan')?.ok).toBe(true);
  });

  it('a one-channel backup holds that channel only', async () => {
    await world.services.channels.create({ login: 'otherchan' });
    const file = path.join(dir, 'one.backup.gz');
    const result = await runCli('server/cli/backup.ts', ['--out', file, '--channel', 'backupchan'], { DATABASE_URL: world.database.url });
    expect(result.code).toBe(0);
    const { result: restored } = await restoreInto(file, 'cli_one');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('backupchan: ledger ok');
    expect(restored.stdout).not.toContain('otherchan');
  });
});
