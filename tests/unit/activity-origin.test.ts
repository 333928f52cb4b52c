/** Where an audit-trail entry comes from, and which settings a change touched. */
import { describe, expect, it } from 'vitest';
import { originOf, settingsChanges, toOrigin, WORKER_ORIGIN } from '../../server/domain/activity-origin.js';
import { DEFAULT_SETTINGS } from '../../server/domain/settings.js';

const carol = { userId: '77', login: 'carol', displayName: 'Carol' };

describe('originOf', () => {
  it('names the source by how the request came, and the person by who made it', () => {
    expect(originOf({ kind: 'admin' })).toEqual({ source: 'api', actor: { kind: 'admin', userId: null, login: null, displayName: null, tokenId: null } });
    expect(originOf({ kind: 'admin', via: 'dashboard' }).source).toBe('dashboard');
    expect(originOf({ kind: 'dashboard', channelId: 1, role: 'owner', tokenId: 9 })).toEqual({
      source: 'api',
      actor: { kind: 'token', userId: null, login: null, displayName: null, tokenId: 9 },
    });
    // This service's bot, a bot token relaying a chat line, and the user's own dashboard session.
    expect(originOf({ kind: 'chat', channel: 'c', user: carol, role: 'moderator' })).toEqual({
      source: 'chat',
      actor: { kind: 'user', ...carol, tokenId: null },
    });
    expect(originOf({ kind: 'chat', channel: 'c', user: carol, role: 'moderator', relayed: true, tokenId: 3 })).toEqual({
      source: 'chat',
      actor: { kind: 'user', ...carol, tokenId: 3 },
    });
    expect(originOf({ kind: 'chat', channel: 'c', user: carol, role: 'broadcaster', relayed: true, via: 'dashboard' }).source).toBe('dashboard');
  });

  it('passes an origin already worked out through unchanged', () => {
    expect(toOrigin(WORKER_ORIGIN)).toBe(WORKER_ORIGIN);
    expect(toOrigin({ kind: 'admin' }).source).toBe('api');
  });
});

describe('settingsChanges', () => {
  const base = { ...DEFAULT_SETTINGS, accrual: { ...DEFAULT_SETTINGS.accrual } } as unknown as Record<string, unknown>;

  it('is empty when nothing changed', () => {
    expect(settingsChanges(base, { ...base })).toEqual([]);
  });

  it('lists only the changed keys, nested ones by dotted key, arrays compared by value, in key order', () => {
    const after = {
      ...base,
      minStake: 25,
      blockedWords: ['spoiler'],
      accrual: { ...(base.accrual as Record<string, unknown>), chatBonus: 9 },
      maxPledge: 5000,
    };
    expect(settingsChanges(base, after)).toEqual([
      { key: 'accrual.chatBonus', before: DEFAULT_SETTINGS.accrual.chatBonus, after: 9 },
      { key: 'blockedWords', before: [], after: ['spoiler'] },
      { key: 'maxPledge', before: null, after: 5000 },
      { key: 'minStake', before: 10, after: 25 },
    ]);
    expect(settingsChanges({ blockedWords: ['a', 'b'] }, { blockedWords: ['a', 'b'] })).toEqual([]);
  });
});
