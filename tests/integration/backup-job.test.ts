/** Scheduled backups: each run writes a restorable file into the directory and keeps the newest N. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackup } from '../../server/backup/format.js';
import { createBackupRunner } from '../../server/jobs/backup-job.js';
import { loadConfig } from '../../server/config.js';
import { createServiceWorld, type ServiceWorld } from '../support/world.js';

let world: ServiceWorld;
const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-backup-job-')), 'backups');
beforeAll(async () => {
  world = await createServiceWorld('backup_job', 'jobchan');
});
afterAll(async () => {
  await world?.close();
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});

describe('scheduled backups', () => {
  it('writes a verified backup each run and keeps only the newest 2', async () => {
    let clock = Date.parse('2026-03-01T10:00:00Z');
    const set: number[] = [];
    const runner = createBackupRunner({
      pool: world.database.pool, dir, keep: 2, appVersion: 'test', logger: pino({ level: 'silent' }),
      now: () => new Date(clock), lastSuccess: { set: (v: number) => void set.push(v) },
    });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    const files: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await runner.run();
      if (!('file' in result)) throw new Error('skipped');
      files.push(path.basename(result.file));
      clock += 3_600_000;
    }
    expect(files).toEqual([
      'mission-link-2026-03-01T10-00-00Z.backup.gz',
      'mission-link-2026-03-01T11-00-00Z.backup.gz',
      'mission-link-2026-03-01T12-00-00Z.backup.gz',
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual([files[1], files[2], 'notes.txt']);
    const { header } = await verifyBackup(path.join(dir, files[2]!));
    expect(header.tables).toContain('transfers');
    expect(set).toEqual([Date.parse('2026-03-01T10:00:00Z') / 1000, Date.parse('2026-03-01T11:00:00Z') / 1000, Date.parse('2026-03-01T12:00:00Z') / 1000]);
  });

  it('a run soon after the newest backup (a restart) writes nothing and deletes nothing', async () => {
    const before = fs.readdirSync(dir).sort();
    const newest = before.filter((f) => f.endsWith('.backup.gz')).at(-1)!;
    const runner = createBackupRunner({
      pool: world.database.pool, dir, keep: 1, appVersion: 'test', logger: pino({ level: 'silent' }),
      now: () => new Date(Date.parse('2026-03-01T12:30:00Z')), minIntervalMs: 3_600_000,
    });
    expect(await runner.run()).toEqual({ skipped: newest });
    expect(fs.readdirSync(dir).sort()).toEqual(before);
  });

  it('configuration: off by default, and bad values name the variable', () => {
    expect(loadConfig({}).backup).toEqual({ dir: undefined, keep: 7, everyMs: 86_400_000 });
    expect(loadConfig({ MISSION_LINK_BACKUP_DIR: '/b', MISSION_LINK_BACKUP_KEEP: '3', MISSION_LINK_BACKUP_EVERY: '6h' }).backup).toEqual({ dir: '/b', keep: 3, everyMs: 21_600_000 });
    expect(() => loadConfig({ MISSION_LINK_BACKUP_KEEP: '0' })).toThrow(/MISSION_LINK_BACKUP_KEEP/);
    expect(() => loadConfig({ MISSION_LINK_BACKUP_EVERY: 'daily' })).toThrow(/MISSION_LINK_BACKUP_EVERY/);
  });
});
