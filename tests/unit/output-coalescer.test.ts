import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPledgeCoalescer, setTimeoutSchedule, type PledgeConfirmation, type PledgeNotice } from '../../bot/output/index.js';

function notice(missionNumber: number, pot: number, extra: Partial<PledgeNotice> = {}): PledgeNotice {
  return { missionNumber, viewerLogin: 'alice', amount: 100, pot, backers: 1, newBacker: true, ...extra };
}

describe('pledge coalescer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** With `deliver` on, every confirmation reaches chat at once and is acknowledged. */
  const setup = (windowMs = 2_000, deliver = true) => {
    const emitted: { at: number; channel: string; c: PledgeConfirmation }[] = [];
    const coalescer = createPledgeCoalescer({
      windowMs,
      now: () => Date.now(),
      schedule: setTimeoutSchedule,
      emit: (channel, c) => {
        emitted.push({ at: Date.now(), channel, c });
        if (deliver) coalescer.acknowledge(channel, c);
      },
    });
    return { coalescer, emitted };
  };

  it('confirms a lone pledge at once, personally', () => {
    const { coalescer, emitted } = setup();
    coalescer.add('chan', notice(3, 450, { viewerLogin: 'bob', amount: 50, backers: 4 }));
    expect(emitted).toEqual([
      { at: 0, channel: 'chan', c: { kind: 'single', missionNumber: 3, login: 'bob', amount: 50, pot: 450, backers: 4, newBacker: true } },
    ]);
  });

  it('summarises a burst once per window with the latest pot', () => {
    const { coalescer, emitted } = setup(2_000);
    coalescer.add('chan', notice(3, 100));
    for (let i = 1; i <= 12; i++) {
      vi.advanceTimersByTime(100);
      coalescer.add('chan', notice(3, 100 + i * 100, { viewerLogin: `v${i}`, newBacker: i % 2 === 0, backers: 1 + i }));
    }
    expect(emitted).toHaveLength(1);
    vi.advanceTimersByTime(2_000);
    expect(emitted).toHaveLength(2);
    expect(emitted[1]).toEqual({
      at: 2_000,
      channel: 'chan',
      c: { kind: 'summary', missionNumber: 3, count: 12, newBackers: 6, amount: 1_200, pot: 1_300, backers: 13 },
    });
    // Quiet again after a full window: the next pledge is personal and immediate.
    vi.advanceTimersByTime(5_000);
    coalescer.add('chan', notice(3, 1_400));
    expect(emitted.at(-1)?.c.kind).toBe('single');
  });

  it('rolls the pledges of a confirmation that never reached chat into the next one', () => {
    const { coalescer, emitted } = setup(1_000, false);
    coalescer.add('chan', notice(1, 10));
    coalescer.add('chan', notice(1, 20));
    coalescer.add('chan', notice(1, 30));
    vi.advanceTimersByTime(1_000);
    expect(emitted.map((e) => e.c)).toMatchObject([
      { kind: 'single', pot: 10 },
      { kind: 'summary', count: 3, amount: 300, pot: 30 },
    ]);
    // Only the summary reached chat: the first single was replaced in the outbox.
    coalescer.acknowledge('chan', emitted[1]?.c as PledgeConfirmation);
    coalescer.add('chan', notice(1, 40));
    coalescer.add('chan', notice(1, 50));
    vi.advanceTimersByTime(1_000);
    expect(emitted.at(-1)?.c).toMatchObject({ kind: 'summary', count: 2, amount: 200, pot: 50 });
    // Nothing new since: no further emission, whatever is still unacknowledged.
    vi.advanceTimersByTime(5_000);
    expect(emitted).toHaveLength(3);
  });

  it('keeps missions and channels apart', () => {
    const { coalescer, emitted } = setup();
    coalescer.add('a', notice(1, 10));
    coalescer.add('a', notice(2, 20));
    coalescer.add('b', notice(1, 30));
    expect(emitted.map((e) => [e.channel, e.c.missionNumber, e.c.pot])).toEqual([
      ['a', 1, 10],
      ['a', 2, 20],
      ['b', 1, 30],
    ]);
  });

  it('flush and forget emit what is pending; close discards it', () => {
    const { coalescer, emitted } = setup();
    coalescer.add('chan', notice(1, 10));
    coalescer.add('chan', notice(1, 20));
    coalescer.add('chan', notice(1, 30));
    coalescer.flush('chan', 1);
    expect(emitted.at(-1)?.c).toMatchObject({ kind: 'summary', count: 2, pot: 30 });
    coalescer.add('chan', notice(1, 40));
    coalescer.forget('chan', 1);
    expect(emitted.at(-1)?.c).toMatchObject({ kind: 'single', pot: 40 });
    coalescer.add('chan', notice(2, 5));
    coalescer.add('chan', notice(2, 6));
    coalescer.close();
    vi.advanceTimersByTime(10_000);
    expect(emitted.at(-1)?.c).toMatchObject({ missionNumber: 2, pot: 5 });
  });

  it('property: pots never go down, the last one is the highest, every pledge is counted once, one emission per window', () => {
    const step = fc.record({
      dt: fc.integer({ min: 0, max: 3_000 }),
      mission: fc.integer({ min: 1, max: 3 }),
      pot: fc.integer({ min: 1, max: 100_000 }),
      count: fc.integer({ min: 1, max: 4 }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), fc.integer({ min: 100, max: 5_000 }), (steps, windowMs) => {
        vi.setSystemTime(0);
        vi.clearAllTimers();
        const { coalescer, emitted } = setup(windowMs);
        const added = new Map<number, { count: number; maxPot: number }>();
        for (const s of steps) {
          vi.advanceTimersByTime(s.dt);
          // Out-of-order pots: concurrent pledges may report an older pot after a newer one.
          coalescer.add('chan', notice(s.mission, s.pot, { count: s.count }));
          const seen = added.get(s.mission) ?? { count: 0, maxPot: 0 };
          added.set(s.mission, { count: seen.count + s.count, maxPot: Math.max(seen.maxPot, s.pot) });
        }
        vi.advanceTimersByTime(windowMs);
        for (const [mission, totals] of added) {
          const mine = emitted.filter((e) => e.c.missionNumber === mission);
          for (let i = 1; i < mine.length; i++) {
            expect((mine[i] as (typeof mine)[number]).c.pot).toBeGreaterThanOrEqual((mine[i - 1] as (typeof mine)[number]).c.pot);
            expect((mine[i] as (typeof mine)[number]).at - (mine[i - 1] as (typeof mine)[number]).at).toBeGreaterThanOrEqual(windowMs);
          }
          expect(mine.at(-1)?.c.pot).toBe(totals.maxPot);
          const counted = mine.reduce((sum, e) => sum + (e.c.kind === 'single' ? 1 : e.c.count), 0);
          expect(counted).toBe(totals.count);
        }
        coalescer.close();
      }),
      { numRuns: 150 },
    );
  });
});
