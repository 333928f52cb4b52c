import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../server/services/pledge-admission.js';

describe('pledge admission by estimated wait', () => {
  it('always admits below minQueued, and only that before the first batch has finished', () => {
    const a = createAdmission({ minQueued: 100 });
    expect(a.admits(99, 0)).toBe(true);
    expect(a.admits(100, 0)).toBe(false);
  });

  it('admits about maxWait × the pace of the batches, all writers together', () => {
    const a = createAdmission({ maxWaitMs: 250, minQueued: 10, writers: 2 });
    // Each writer commits 200 pledges in 40 ms: 5 per ms each, 10 per ms with both.
    for (let i = 0; i < 20; i++) a.recordBatch(200, 40);
    expect(a.pace()).toBeCloseTo(10_000);
    expect(a.admits(2_499, 0)).toBe(true);
    expect(a.admits(2_500, 0)).toBe(false);
  });

  it('knows the pace from the first batch of a storm, whatever the demand was before', () => {
    const a = createAdmission({ maxWaitMs: 250, minQueued: 10, writers: 2 });
    // A quiet channel: single pledges, 4 ms each. Then one storm batch of 500 in 100 ms.
    for (let i = 0; i < 50; i++) a.recordBatch(1, 4);
    a.recordBatch(500, 100);
    // Size-weighted: the storm batch dominates (a plain average of batches would say ~0.5 per ms).
    expect(a.pace()).toBeGreaterThan(8_000);
    expect(a.admits(2_000, 50)).toBe(true);
  });

  it('follows a slowdown within a few batches', () => {
    const a = createAdmission({ maxWaitMs: 250, minQueued: 10, writers: 2 });
    for (let i = 0; i < 20; i++) a.recordBatch(200, 40);
    for (let i = 0; i < 10; i++) a.recordBatch(200, 200);
    expect(a.pace()).toBeLessThan(2_500);
    expect(a.admits(1_000, 0)).toBe(false);
  });

  it('admits only minQueued while a batch has run longer than maxWait (a stalled database)', () => {
    const a = createAdmission({ maxWaitMs: 250, minQueued: 10, writers: 2 });
    for (let i = 0; i < 20; i++) a.recordBatch(200, 40);
    expect(a.admits(100, 250)).toBe(true);
    expect(a.admits(100, 251)).toBe(false);
    expect(a.admits(9, 10_000)).toBe(true);
  });
});
