/** `npm run db:migrate` (server/cli/migrate.ts) run as a child process against a real Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { runCli } from '../support/cli.js';


describe('db:migrate CLI', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('cli_migrate');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('migrates an empty database, and a second run is a no-op that also succeeds', async () => {
    const first = await runCli('server/cli/migrate.ts', [], { DATABASE_URL: database.connectionString });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);

    const client = new pg.Client({ connectionString: database.connectionString });
    await client.connect();
    const tables = await client
      .query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
      .then((r) => r.rows.map((row) => row.table_name))
      .finally(() => client.end());
    expect(tables).toEqual(expect.arrayContaining(['channels', 'accounts', 'transfers', 'missions', 'pledges']));

    const second = await runCli('server/cli/migrate.ts', [], { DATABASE_URL: database.connectionString });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('up to date');
  });

  it('exits non-zero with the driver error when the database cannot be reached', async () => {
    const result = await runCli('server/cli/migrate.ts', [], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/db:migrate failed: .*ECONNREFUSED/);
  });

  // Without DATABASE_URL the tools use the embedded database: tests/integration/cli-embedded.test.ts.
  it('exits non-zero naming DATABASE_URL when it is malformed', async () => {
    const malformed = await runCli('server/cli/migrate.ts', [], { DATABASE_URL: 'mysql://localhost/db' });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('DATABASE_URL must use');
  });
});
