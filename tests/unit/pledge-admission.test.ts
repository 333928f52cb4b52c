import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../server/services/pledge-admission.js';

describe('pledge admission by the time the backlog needs to commit', () => {
  it('a cold batcher (nothing measured) takes a burst a cold process commits in time, and no more', () => {
    // Two writers, full batches of 500 at a cold 200 ms each: 5,000 in the default 1,000 ms.
    const a = createAdmission({ writers: 2, maxBatch: 500 });
    expect(a.floor()).toBe(5_000);
    expect(a.admits(4_999, 0)).toBe(true);
    expect(a.admits(5_000, 0)).toBe(false);
  });

  it("reads the capacity of full batches from a ramp-up's small batches", () => {
    // A storm's first batches are small: 10-60 pledges, 5 ms fixed + 0.05 ms per pledge. At 500
    // pledges that is 30 ms a batch, 33 per ms over two writers; the pace at the sizes seen (35
    // pledges in 6.75 ms, ~10 per ms) would refuse from ~2,600 on.
    const a = createAdmission({ maxWaitMs: 250, writers: 2, maxBatch: 500 });
    for (let i = 0; i < 60; i++) {
      const n = 10 + (i % 6) * 10;
      a.recordBatch(n, 5 + 0.05 * n);
    }
    expect(a.drainMs(1_000)).toBeCloseTo(30);
    expect(a.admits(6_000, 0)).toBe(true);
    expect(a.admits(8_000, 0)).toBe(true); // 8 rounds of 30 ms
    expect(a.admits(8_400, 0)).toBe(false); // 8 rounds and a batch of 201: 255 ms
  });

  it('refuses a backlog that cannot commit in time at the measured capacity', () => {
    const a = createAdmission({ maxWaitMs: 500, writers: 2, maxBatch: 500 });
    for (let i = 0; i < 20; i++) a.recordBatch(500, 50);
    expect(a.floor()).toBe(2_500);
    expect(a.pace()).toBeCloseTo(20_000);
    expect(a.admits(9_999, 0)).toBe(true); // 10 rounds of 50 ms
    expect(a.admits(10_000, 0)).toBe(false);
  });

  it('follows a slowdown within a few batches, and keeps admitting the floor', () => {
    const a = createAdmission({ writers: 2, maxBatch: 500 });
    for (let i = 0; i < 20; i++) a.recordBatch(500, 20);
    expect(a.admits(15_000, 0)).toBe(true);
    for (let i = 0; i < 30; i++) a.recordBatch(500, 400);
    expect(a.admits(6_000, 0)).toBe(false);
    expect(a.admits(4_999, 0)).toBe(true);
  });

  it('admits only the floor while a batch has run longer than maxWait (a stalled database)', () => {
    const a = createAdmission({ maxWaitMs: 250, writers: 2, maxBatch: 500 });
    for (let i = 0; i < 20; i++) a.recordBatch(500, 20);
    expect(a.admits(2_000, 250)).toBe(true);
    expect(a.admits(2_000, 251)).toBe(false);
    expect(a.admits(a.floor() - 1, 10_000)).toBe(true);
  });

  it('never takes a larger batch to be cheaper than the batches seen (noisy times)', () => {
    const a = createAdmission({ writers: 1, maxBatch: 500 });
    // Larger batches happened to be faster: the fitted slope would be negative.
    for (let i = 0; i < 30; i++) a.recordBatch(i % 2 === 0 ? 10 : 60, i % 2 === 0 ? 20 : 5);
    // Unclamped, the line through them puts a batch of 500 below zero; it costs the mean time seen.
    expect(a.drainMs(500)).toBeGreaterThan(10);
    expect(a.drainMs(500)).toBeLessThan(15);
  });
});
