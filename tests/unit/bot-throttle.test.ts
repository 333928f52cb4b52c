import { describe, expect, it } from 'vitest';
import { createSeenIds, createTaskQueue, createUserCooldown } from '../../bot/throttle.js';

describe('createUserCooldown', () => {
  it('lets a user through once per cooldown, independently per key', () => {
    const cooldown = createUserCooldown(2_000);
    expect(cooldown.tryUse('demo:1', 0)).toBe(true);
    expect(cooldown.tryUse('demo:1', 1_999)).toBe(false);
    expect(cooldown.tryUse('demo:2', 1_999)).toBe(true);
    expect(cooldown.tryUse('demo:1', 2_000)).toBe(true);
  });

  it('a dropped attempt does not extend the cooldown', () => {
    const cooldown = createUserCooldown(1_000);
    cooldown.tryUse('k', 0);
    expect(cooldown.tryUse('k', 900)).toBe(false);
    expect(cooldown.tryUse('k', 1_000)).toBe(true);
  });

  it('prunes expired entries and keeps the live ones when the map is full', () => {
    const cooldown = createUserCooldown(1_000, 3);
    for (let i = 0; i < 3; i++) cooldown.tryUse(`old${i}`, 0);
    cooldown.tryUse('fresh', 5_000);
    cooldown.tryUse('fresher', 5_100);
    expect(cooldown.tryUse('fresh', 5_200)).toBe(false);
    expect(cooldown.tryUse('old0', 5_200)).toBe(true);
  });

  it('is off at zero', () => {
    const cooldown = createUserCooldown(0);
    expect(cooldown.tryUse('k', 0) && cooldown.tryUse('k', 0)).toBe(true);
  });
});

describe('createSeenIds', () => {
  it('reports each id once, forgetting the oldest beyond capacity', () => {
    const seen = createSeenIds(2);
    expect(seen.firstTime('a')).toBe(true);
    expect(seen.firstTime('a')).toBe(false);
    seen.firstTime('b');
    seen.firstTime('c');
    expect(seen.firstTime('b')).toBe(false);
    expect(seen.firstTime('a')).toBe(true);
  });

  it('remembers exactly the last `capacity` ids over many wraps of its ring', () => {
    const seen = createSeenIds(1_000);
    for (let i = 0; i < 100_000; i++) expect(seen.firstTime(`m${i}`)).toBe(true);
    for (let i = 99_000; i < 100_000; i++) expect(seen.firstTime(`m${i}`)).toBe(false);
    expect(seen.firstTime('m98999')).toBe(true); // the 1,001st most recent was forgotten
    expect(seen.firstTime('m99000')).toBe(true); // ... and took the slot of the oldest
  });
});

describe('createTaskQueue', () => {
  it('runs one task per key at a time, in order, and bounds overall concurrency', async () => {
    const queue = createTaskQueue(2);
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const task = (name: string, ms: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      running--;
    };
    queue.run('a', task('a1', 20));
    queue.run('a', task('a2', 1));
    queue.run('b', task('b1', 5));
    queue.run('c', task('c1', 5));
    queue.run('b', async () => {
      throw new Error('a failing task does not block its key');
    });
    queue.run('b', task('b3', 1));
    await queue.idle();
    expect(peak).toBe(2);
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('start b3')).toBeGreaterThan(log.indexOf('end b1'));
    expect(log.filter((l) => l.startsWith('end'))).toHaveLength(5);
  });
});
