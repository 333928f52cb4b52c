/**
 * A settlement job that failed for good (every attempt used, the job kept for inspection) does
 * not block the mission's settlement for ever: the next enqueue, as start-up reconciliation makes
 * for every terminal mission not fully settled, replaces it with a fresh job.
 */
import { UnrecoverableError } from 'bullmq';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTLEMENT_QUEUE, startMissionWorkers } from '../../server/jobs/mission-jobs.js';
import { settlementJobId } from '../../server/jobs/scheduler.js';
import { asChatUser, call, createChannel, eventually, expectAuditOk, startHarness, type Harness } from '../support/harness.js';

const CH = 'reconcile';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ label: 'reconcile', workers: false });
  await createChannel(h, CH, { requireApproval: false });
});

afterAll(async () => {
  await h?.close();
});

describe('settlement jobs', () => {
  it('re-queues a settlement whose job had failed for good, and the fresh job runs', async () => {
    const proposed = await call(h, {
      method: 'POST',
      url: `/api/v1/channels/${CH}/missions`,
      headers: asChatUser(h, CH, { login: 'alice' }),
      payload: { text: 'Win without healing', amount: 300 },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const channel = await h.runtime.services.channels.get(CH);
    const number = proposed.body.number as number;
    const missionId = Number((await h.runtime.db.pool.query('SELECT id FROM missions WHERE channel_id = $1 AND number = $2', [channel.id, number])).rows[0].id);
    await h.runtime.services.verdicts.act(channel, number, 'fail', { kind: 'admin' });
    const jobId = settlementJobId(missionId);
    const queue = h.runtime.jobs.createQueue(SETTLEMENT_QUEUE);

    // A worker that gives the job up at once, as one that used up its attempts would.
    const broken = h.runtime.jobs.createWorker(SETTLEMENT_QUEUE, async () => {
      throw new UnrecoverableError('database unreachable for the whole retry window');
    });
    const gaveUp = new Promise<void>((resolve) => broken.on('failed', () => resolve()));
    await h.runtime.scheduler.enqueueSettlement(missionId);
    await gaveUp;
    await broken.close();
    expect(await queue.getJobState(jobId)).toBe('failed');

    await h.runtime.scheduler.enqueueSettlement(missionId);
    expect(await queue.getJobState(jobId)).toBe('waiting');
    const workers = startMissionWorkers({ backend: h.runtime.jobs, db: h.runtime.db.db, verdicts: h.runtime.services.verdicts, logger: pino({ level: 'silent' }), now: h.runtime.now });
    try {
      // Finished jobs are removed: the fresh one ran.
      await eventually(async () => (await queue.getJobState(jobId)) === 'unknown');
      expect((await h.runtime.services.missions.get(channel, number)).settled).toBe(true);
      await expectAuditOk(h, CH);
    } finally {
      await workers.close();
    }
  });
});
