import { describe, expect, it } from 'vitest';
import { createAdmission } from '../../server/services/pledge-admission.js';

describe('pledge admission by estimated wait', () => {
  it('always admits below minQueued, even with no commit history', () => {
    const a = createAdmission({ minQueued: 100 });
    expect(a.admits(99, 0)).toBe(true);
    expect(a.admits(100, 0)).toBe(false);
  });

  it('admits about maxWait × the steady commit rate', () => {
    const a = createAdmission({ maxWaitMs: 1_000, minQueued: 10, tauMs: 1_000 });
    // 2,000 pledges/s as 200 every 100 ms for 10 s: the estimate converges to ~2,000/s.
    for (let t = 100; t <= 10_000; t += 100) a.recordCommit(200, t);
    expect(a.rate(10_000)).toBeGreaterThan(1_800);
    expect(a.rate(10_000)).toBeLessThan(2_300);
    expect(a.admits(1_500, 10_000)).toBe(true);
    expect(a.admits(2_500, 10_000)).toBe(false);
  });

  it('forgets an old rate once commits stop', () => {
    const a = createAdmission({ maxWaitMs: 1_000, minQueued: 10, tauMs: 1_000 });
    for (let t = 100; t <= 5_000; t += 100) a.recordCommit(200, t);
    expect(a.admits(1_000, 5_000)).toBe(true);
    expect(a.rate(15_000)).toBeLessThan(1);
    expect(a.admits(1_000, 15_000)).toBe(false);
  });
});
