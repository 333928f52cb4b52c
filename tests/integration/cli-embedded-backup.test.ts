/**
 * The maintenance commands find `npm start`'s embedded database by themselves: a restore on a new
 * machine creates it, a backup starts it for the command while the server is stopped, and uses the
 * running one (its port from the pid file) while the server runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedPostgres, type EmbeddedDatabase } from '../../db/embedded.js';
import { runCli } from '../support/cli.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

const SLOW = 180_000;
let world: ServiceWorld;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-embedded-cli-'));
const dataDir = path.join(root, 'data');
const source = path.join(root, 'source.backup.gz');
let running: EmbeddedDatabase | undefined;

beforeAll(async () => {
  // Postgres (run as user postgres when the tests run as root) must be able to enter the folder.
  fs.chmodSync(root, 0o777);
  world = await createServiceWorld('cli_embedded', 'embedchan');
  const made = await runCli('server/cli/backup.ts', ['--out', source], { DATABASE_URL: world.database.url });
  expect(made.code, made.stderr).toBe(0);
}, SLOW);

afterAll(async () => {
  await running?.stop().catch(() => undefined);
  await world?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const embeddedEnv = { MISSION_LINK_DATA_DIR: dataDir };

describe('backup and restore on the embedded database', () => {
  it('without a data directory, backup explains where it looked', async () => {
    const result = await runCli('server/cli/backup.ts', ['--out', path.join(root, 'x.gz')], embeddedEnv);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^No database found: DATABASE_URL is not set and .*holds no embedded database/);
  });

  it('restore creates the embedded database; backup starts it for the command; then uses the running one', async () => {
    const restored = await runCli('server/cli/restore.ts', [source], embeddedEnv, SLOW);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/Restore complete into the embedded database in .*ledger audit clean/);
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

    const stopped = await runCli('server/cli/backup.ts', ['--out', path.join(root, 'stopped.backup.gz')], embeddedEnv, SLOW);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('Starting the embedded database');
    expect(stopped.stdout).toMatch(/from the embedded database in /);

    running = await openEmbeddedPostgres(dataDir, { log: () => undefined, adopt: true });
    const live = await runCli('server/cli/backup.ts', ['--out', path.join(root, 'live.backup.gz')], embeddedEnv, SLOW);
    expect(live.code, live.stderr).toBe(0);
    expect(live.stdout).toMatch(/from the running embedded database in /);
    // Same rows as the source each time: the embedded database holds what was restored.
    const rowsOf = (out: string) => /(\d+) rows in/.exec(out)?.[1];
    expect(rowsOf(live.stdout)).toBe(rowsOf(stopped.stdout));
  }, SLOW * 3);
});
