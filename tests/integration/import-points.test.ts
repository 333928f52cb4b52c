/**
 * `npm run import-points` as a child process: a dry run writes nothing and says what it would do;
 * the import mints `import` transfers; the same file again has no effect; viewers known only by
 * login stay pending until they have been seen, then a later run credits them once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditChannel } from '../../server/services/ledger-audit.js';
import { runCli } from '../support/cli.js';
import { startHelixMock } from '../support/helix-mock.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

let world: ServiceWorld;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-import-test-'));
const file = path.join(dir, 'streamelements.csv');
const importCli = (args: string[]) => runCli('server/cli/import-points.ts', args, { DATABASE_URL: world.database.url });

beforeAll(async () => {
  world = await createServiceWorld('import_points', 'importchan');
  // Known in chat already: matched by login to this user id.
  await world.database.db.execute(sql`INSERT INTO users (user_id, login, display_name) VALUES ('555', 'knownviewer', 'KnownViewer')`);
  fs.writeFileSync(
    file,
    ['user_id,username,points,watchtime', '1001,alice,1500,30', ',knownviewer,700,2', ',newcomer,250,1', ',bob,-3,1', ',carl,many,1', '1001,alice2,9,1', ',KNOWNVIEWER,5,1'].join('\n'),
  );
});

afterAll(async () => {
  await world?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const imports = async () =>
  (await world.database.db.execute(sql`SELECT count(*)::int AS n, COALESCE(sum(amount), 0)::int AS total FROM transfers WHERE kind = 'import'`)).rows[0] as { n: number; total: number };
const balanceOf = async (userId: string) =>
  Number((await world.database.db.execute(sql`SELECT balance FROM accounts WHERE kind = 'wallet' AND user_id = ${userId}`)).rows[0]?.balance ?? -1);

describe('import-points CLI', () => {
  it('--dry-run prints viewers, total and every skipped row with its reason, and writes nothing', async () => {
    const result = await importCli([file, '--channel', 'importchan', '--dry-run']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Dry run: would import 3 viewers, 2,450 points, into importchan');
    expect(result.stdout).toContain('matched by Twitch user id 1, by a login seen in chat 1, through Twitch 0; pending (login not known yet, Twitch not configured) 1');
    expect(result.stdout).toContain('ignored columns: watchtime');
    expect(result.stdout).toContain('Skipped 4 rows:');
    expect(result.stdout).toContain('line 5: negative points (-3)');
    expect(result.stdout).toContain('line 6: points not a number (many)');
    expect(result.stdout).toContain('line 7: duplicate viewer alice2 (first on line 2)');
    expect(result.stdout).toContain('line 8: duplicate viewer knownviewer (first on line 3)');
    expect(await imports()).toEqual({ n: 0, total: 0 });
  });

  it('imports once: the same file again has one effect; the ledger stays consistent', async () => {
    const first = await importCli([file, '--channel', 'importchan']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Imported: 2 viewers credited (2,200 points), 0 already imported, 1 kept pending');
    expect(await imports()).toEqual({ n: 2, total: 2200 });
    expect(await balanceOf('1001')).toBe(1500);
    expect(await balanceOf('555')).toBe(700);

    const again = await importCli([file, '--channel', 'importchan']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('2 of them were already imported from this file');
    expect(again.stdout).toContain('Imported: 0 viewers credited (0 points), 2 already imported, 0 kept pending');
    expect(await imports()).toEqual({ n: 2, total: 2200 });
    expect((await auditChannel(world.database.db, world.channel.id)).violations).toEqual([]);
  });

  it('a pending viewer is credited once they are known, and only once', async () => {
    expect(await balanceOf('777')).toBe(-1);
    // The viewer chats for the first time: the bot records their user id (and a starting balance).
    await world.services.viewers.adjust(world.channel, { target: { userId: '777', login: 'newcomer', displayName: 'Newcomer' }, amount: 1, direction: 'give' }, world.hostActor);
    const before = await balanceOf('777');
    const run = await importCli(['--channel', 'importchan']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Credited 1 pending viewers (250 points) of importchan.');
    expect(await balanceOf('777')).toBe(before + 250);
    const again = await importCli(['--channel', 'importchan']);
    expect(again.stdout).toContain('Credited 0 pending viewers');
    expect(await balanceOf('777')).toBe(before + 250);
    // Re-importing the file does not make the viewer pending (or credited) a second time.
    const reimport = await importCli([file, '--channel', 'importchan']);
    expect(reimport.stdout).toContain('Imported: 0 viewers credited (0 points), 3 already imported, 0 kept pending');
    expect(await balanceOf('777')).toBe(before + 250);
    expect((await auditChannel(world.database.db, world.channel.id)).violations).toEqual([]);
  });

  it('refuses a file without usable columns, an unknown channel, with one line and no write', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'foo,bar\n1,2\n');
    const result = await importCli([bad, '--channel', 'importchan']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/names no login and points columns: say which column is which, e\.g\. --columns login,points/);
    const unknown = await importCli([file, '--channel', 'nosuchchan']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^No channel "nosuchchan"/);
    expect((await imports()).n).toBe(3);
  });

  it('with Twitch configured, resolves unknown logins through Helix (Get Users); the rest stay pending', async () => {
    const mock = await startHelixMock();
    try {
      mock.users.set('9001', { id: '9001', login: 'helixviewer', displayName: 'HelixViewer' });
      const helixFile = path.join(dir, 'firebot.csv');
      fs.writeFileSync(helixFile, 'Username,Currency\nHelixViewer,300\nghostviewer,5\n');
      const env = { DATABASE_URL: world.database.url, TWITCH_CLIENT_ID: 'mockclient', TWITCH_CLIENT_SECRET: 'mocksecret', TWURPLE_MOCK_API_PORT: String(mock.port) };
      const result = await runCli('server/cli/import-points.ts', [helixFile, '--channel', 'importchan'], env);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('through Twitch 1; pending (login not known yet) 1');
      expect(result.stdout).toContain('Imported: 1 viewers credited (300 points), 0 already imported, 1 kept pending');
      expect(await balanceOf('9001')).toBe(300);
      expect(mock.requests.some((r) => r.path.startsWith('/mock/users'))).toBe(true);
      expect((await auditChannel(world.database.db, world.channel.id)).violations).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});
