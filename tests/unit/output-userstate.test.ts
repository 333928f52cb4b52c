import { describe, expect, it } from 'vitest';
import { createOutboxCore, hasModeratorRate } from '../../bot/output/index.js';

describe('hasModeratorRate', () => {
  it('grants the higher limit to moderators and the broadcaster only', () => {
    expect(hasModeratorRate({ mod: true, badges: null })).toBe(true);
    expect(hasModeratorRate({ mod: '1' })).toBe(true);
    expect(hasModeratorRate({ 'user-type': 'mod' })).toBe(true);
    expect(hasModeratorRate({ mod: false, badges: { broadcaster: '1' } })).toBe(true);
    expect(hasModeratorRate({ mod: false, badges: { moderator: '1', 'sub-gifter': '5' } })).toBe(true);
    expect(hasModeratorRate({ mod: false, badges: { vip: '1' } })).toBe(false);
    expect(hasModeratorRate({ mod: false, badges: null, 'user-type': '' })).toBe(false);
    expect(hasModeratorRate({})).toBe(false);
  });

  it('stats of an unknown channel report defaults without tracking it', () => {
    const core = createOutboxCore();
    expect(core.stats('nobody', 0)).toMatchObject({ queued: 0, sent: 0, moderator: false, limit: 18, available: 18 });
    expect(core.size()).toBe(0);
  });
});
