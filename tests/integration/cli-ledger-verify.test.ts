/** `npm run ledger:verify` (server/cli/ledger-verify.ts) run as a child process against a real Postgres. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannelService } from '../../server/services/channels.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runCli } from '../support/cli.js';


describe('ledger:verify CLI', () => {
  let database: TestDatabase;
  const verify = () => runCli('server/cli/ledger-verify.ts', [], { DATABASE_URL: database.url });

  beforeAll(async () => {
    database = await createTestDatabase('cli_ledger');
    const channels = createChannelService(database.db);
    await channels.create({ login: 'cleanchan' });
    await channels.create({ login: 'brokenchan' });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('exits 0 and reports every channel ok on a consistent ledger', async () => {
    const result = await verify();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('cleanchan: ok');
    expect(result.stdout).toContain('brokenchan: ok');
  });

  it('exits 1 and names the violations after a balance is changed behind the journal', async () => {
    // The journal is append-only (a trigger forbids UPDATE on transfers) but balances are not.
    await database.db.execute(sql`
      UPDATE accounts SET balance = balance + 1
      WHERE id = (SELECT min(a.id) FROM accounts a JOIN channels c ON c.id = a.channel_id WHERE c.login = 'brokenchan')`);
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('cleanchan: ok');
    expect(result.stdout).toMatch(/brokenchan: 2 violations/);
    expect(result.stdout).toMatch(/\[invariant 1\] account \d+ balance 1 but journal says 0/);
    expect(result.stdout).toMatch(/\[invariant 3\] channel balances sum to 1, not 0/);
  });

  it('exits 2 when the database cannot be reached', async () => {
    const result = await runCli('server/cli/ledger-verify.ts', [], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ledger:verify could not run: .*ECONNREFUSED/);
  });
});
