import { describe, expect, it } from 'vitest';
import { createStaleWhileRefreshing } from '../../server/board/stale-while-refreshing.js';

describe('the board feed read that never holds a frame back', () => {
  it('waits for the first read, then answers at once and refreshes in the background once stale', async () => {
    let clock = 0;
    let version = 0;
    const pending: Array<() => void> = [];
    const load = (login: string, n: number) =>
      new Promise<string>((resolve) => {
        const v = ++version;
        pending.push(() => resolve(`${login}#${n} v${v}`));
      });
    const cache = createStaleWhileRefreshing(load, 100, () => clock);
    const first = cache.get('acme', 1);
    pending.shift()?.();
    expect(await first).toBe('acme#1 v1');
    expect(version).toBe(1);

    clock = 50;
    expect(await cache.get('acme', 1)).toBe('acme#1 v1');
    expect(version).toBe(1); // still fresh: no query

    clock = 150;
    // Stale: answered with the last value at once (the refresh has not even answered yet).
    expect(await cache.get('acme', 1)).toBe('acme#1 v1');
    expect(version).toBe(2);
    expect(await cache.get('acme', 1)).toBe('acme#1 v1');
    expect(version).toBe(2); // one refresh at a time
    pending.shift()?.();
    await Promise.resolve();
    await Promise.resolve();
    expect(await cache.get('acme', 1)).toBe('acme#1 v2');

    cache.forget('acme', 1);
    const again = cache.get('acme', 1);
    pending.shift()?.();
    expect(await again).toBe('acme#1 v3');
  });

  it('does not remember a failed first read, and keeps the last good value when a refresh fails', async () => {
    let clock = 0;
    let fail = true;
    let calls = 0;
    const cache = createStaleWhileRefreshing(async () => {
      calls += 1;
      if (fail) throw new Error('database busy');
      return calls;
    }, 100, () => clock);
    await expect(cache.get('acme', 2)).rejects.toThrow('database busy');
    fail = false;
    expect(await cache.get('acme', 2)).toBe(2);
    fail = true;
    clock = 500;
    expect(await cache.get('acme', 2)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await cache.get('acme', 2)).toBe(2);
  });
});
