/**
 * Upgrades keep the data: a database built at each earlier migration, holding a representative
 * channel, is started by this build (which migrates it to the head as `npm start` does); the ledger
 * audit is clean and the API answers what the data says. A database migrated by a newer build is
 * refused at start with one line, and nothing is written to it.
 */
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.js';
import { runMigrationsUpTo } from '../../db/migrate.js';
import { appliedMigrations, knownMigrations } from '../../db/schema-version.js';
import { loadConfig } from '../../server/config.js';
import { buildMissionApp } from '../../server/http/mission-app.js';
import { createRuntime } from '../../server/runtime.js';
import { auditAll } from '../../server/services/ledger-audit.js';
import { runCli } from '../support/cli.js';
import { CHANNEL, EXPECTED, OWNER_TOKEN, writeRepresentativeData } from '../support/representative-data.js';
import { createTestDatabase, REDIS_URL, uniqueName, type TestDatabase } from '../support/services.js';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

async function databaseAt(stage: number, label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(label);
  databases.push(database);
  const handle = createDb(database.connectionString, { max: 2 });
  try {
    await runMigrationsUpTo(handle, stage);
    expect(await appliedMigrations(handle.pool)).toHaveLength(stage);
    await writeRepresentativeData(handle.pool);
  } finally {
    await handle.close();
  }
  return database;
}

const known = knownMigrations();
// Every earlier migration, and the head itself (the data written by this build's schema).
const stages = known.map((m, i) => ({ stage: i + 1, tag: m.tag }));

describe('upgrading a database written at an earlier migration', () => {
  it.each(stages)('from $tag: migrated at start-up, audit clean, the API answers from the data', async ({ stage }) => {
    const database = await databaseAt(stage, `upgrade_${stage}`);
    const config = loadConfig({ DATABASE_URL: database.connectionString, REDIS_URL, LOG_LEVEL: 'silent' });
    const runtime = await createRuntime(config, pino({ level: 'silent' }), { jobPrefix: uniqueName('upgrade'), poolMax: 4 });
    try {
      expect(await appliedMigrations(runtime.db.pool)).toHaveLength(known.length);
      const audit = await auditAll(runtime.db.db);
      expect(audit.get(CHANNEL)?.violations).toEqual([]);

      const app = await buildMissionApp(runtime);
      try {
        const get = async (url: string, headers: Record<string, string> = {}) => {
          const res = await app.inject({ method: 'GET', url: `/api/v1/channels/${CHANNEL}${url}`, headers });
          expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
          return res.json();
        };
        const channel = await get('', { authorization: `Bearer ${OWNER_TOKEN}` });
        expect(channel.totals).toEqual(EXPECTED.totals);
        // The owner token stored before the upgrade still authenticates (only owners see the key).
        expect(channel.overlayKey).toBe('overlay-key-upgrade');
        for (const [number, status] of Object.entries(EXPECTED.statuses)) {
          expect((await get(`/missions/${number}`)).status).toBe(status);
        }
        const open = await get('/missions/2');
        expect({ pot: open.pot, backers: open.backers, settled: open.settled }).toEqual({ pot: 60, backers: 2, settled: false });
        expect((await get('/missions/4')).settled).toBe(true);
        const refunded = await get('/missions/5/pledges');
        expect(refunded.items.map((p: { settlement: string }) => p.settlement)).toEqual(['refunded', 'refunded']);
        for (const [login, balance] of Object.entries(EXPECTED.balances)) {
          expect((await get(`/viewers/${login}`)).balance).toBe(balance);
        }
        const ledger = await get('/ledger');
        expect(ledger.items.map((r: { kind: string }) => r.kind)).toContain('payout');
      } finally {
        await app.close();
      }
      // Writes work on the upgraded schema: the next mission number and serial ids continue.
      const proposed = await runtime.services.missions.propose(
        await runtime.services.channels.get(CHANNEL),
        { text: 'After the upgrade', amount: 10, proposer: { userId: 'u-bob', login: 'bob', displayName: 'bob' } },
        { kind: 'chat', channel: CHANNEL, user: { userId: 'u-bob', login: 'bob', displayName: 'bob' }, role: 'viewer' },
      );
      expect(proposed.mission.number).toBe(9);
      expect((await auditAll(runtime.db.db)).get(CHANNEL)?.ok).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});

describe('a database migrated by a newer build', () => {
  it('refuses to start with one line and writes nothing (no migration, no channel)', async () => {
    const database = await databaseAt(known.length, 'upgrade_newer');
    const handle = createDb(database.connectionString, { max: 1 });
    const fingerprint = async () =>
      (await handle.pool.query(`SELECT (SELECT count(*) FROM drizzle.__drizzle_migrations) AS migrations,
         (SELECT string_agg(login, ',' ORDER BY login) FROM channels) AS channels,
         (SELECT count(*) FROM transfers) AS transfers,
         (SELECT to_regnamespace('bullmq') IS NOT NULL) AS jobs`)).rows[0];
    try {
      await handle.pool.query(`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', 4102444800000)`);
      const before = await fingerprint();
      const env = { DATABASE_URL: database.connectionString, TWITCH_CHANNELS: 'brandnewchan', PORT: '0', LOG_LEVEL: 'silent' };
      const start = await runCli('server/main.ts', ['server'], env);
      expect(start.code).toBe(1);
      expect(start.stderr.trim().split('\n')).toEqual([
        `Mission Link did not start: The database schema is newer than this version of Mission Link (database at migration ${known.length + 1}, this version knows ${known.length}): run the newer version, or restore a backup into an empty database.`,
      ]);
      const migrate = await runCli('server/cli/migrate.ts', [], env);
      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toMatch(/^db:migrate failed: The database schema is newer/);
      expect(await fingerprint()).toEqual(before);
    } finally {
      await handle.close();
    }
  });
});

describe('a database that skipped a migration', () => {
  it('is refused with the migration named, instead of running on a schema without it', async () => {
    const database = await databaseAt(known.length, 'upgrade_gap');
    const handle = createDb(database.connectionString, { max: 1 });
    try {
      // As if the second-to-last migration had been merged after the last one was applied here.
      const skipped = known.at(-2)!;
      await handle.pool.query('DELETE FROM drizzle.__drizzle_migrations WHERE created_at = $1', [skipped.when]);
      const start = await runCli('server/cli/migrate.ts', [], { DATABASE_URL: database.connectionString });
      expect(start.code).toBe(1);
      expect(start.stderr.trim()).toBe(
        `db:migrate failed: The database skipped migration ${skipped.tag} (added after a later one was applied): apply it by hand, or restore a backup into an empty database.`,
      );
    } finally {
      await handle.close();
    }
  });
});
