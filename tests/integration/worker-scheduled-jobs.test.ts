/** The worker role schedules the ledger audit (at once, then every 5 minutes) and, when configured, the backups. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startRoles, type RunningRoles } from '../../server/processes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/harness.js';

let database: TestDatabase;
let running: RunningRoles | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-worker-jobs-'));
afterAll(async () => {
  await running?.stop();
  await database?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('worker role', () => {
  it('runs the ledger audit and a scheduled backup on its own', async () => {
    database = await createTestDatabase('worker_jobs');
    // Jobs on BullMQ's Postgres backend, inside this test's own database.
    const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', MISSION_LINK_BACKUP_DIR: dir, MISSION_LINK_BACKUP_EVERY: '1d' });
    running = await startRoles(config, pino({ level: 'silent' }), ['worker']);
    const metrics = running.runtime.metrics;
    const sample = async (name: string) => {
      const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    await eventually(async () => ((await sample('mission_link_ledger_audit_last_run_timestamp_seconds')) ?? 0) > 0, 60_000);
    expect(await sample('mission_link_ledger_violations')).toBe(0);
    await eventually(async () => fs.readdirSync(dir).some((f) => f.endsWith('.backup.gz')), 60_000);
    await eventually(async () => ((await sample('mission_link_backup_last_success_timestamp_seconds')) ?? 0) > 0, 60_000);
  }, 120_000);
});
