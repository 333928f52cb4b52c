/**
 * The settings form's model (dashboard/src/settings/form.ts): durations shown and read the way
 * chat writes them, only changed values in the PATCH body (compared by value), and a server
 * refusal placed on the field it names.
 */
import { describe, expect, it } from 'vitest';
import { draftOf, fieldOfError, formatDuration, parseField, patchOf, FIELDS } from '../../dashboard/src/settings/form.js';
import type { Settings } from '../../dashboard/src/api/types.js';
import { DEFAULT_SETTINGS } from '../../server/domain/settings.js';

const saved = (): Settings => structuredClone({ ...DEFAULT_SETTINGS, accrual: { ...DEFAULT_SETTINGS.accrual } }) as Settings;

describe('durations', () => {
  it('are shown as chat writes them', () => {
    expect([0, 1, 60, 90, 600, 5400, 3600, 86_400, 90_061].map(formatDuration)).toEqual(['0s', '1s', '1m', '1m30s', '10m', '1h30m', '1h', '1d', '1d1h1m1s']);
  });

  it('are read through the chat grammar, Korean units included, and 0 only where the setting allows none', () => {
    expect(parseField('duration', '1h30m')).toEqual({ ok: true, value: 5400 });
    expect(parseField('duration', '1시간 30분')).toEqual({ ok: true, value: 5400 });
    expect(parseField('duration', '1.5s')).toEqual({ ok: true, value: 2 });
    expect(parseField('duration', '10')).toEqual({ ok: false, problem: 'duration' });
    expect(parseField('duration', '0s')).toEqual({ ok: false, problem: 'duration' });
    expect(parseField('durationOrZero', '0s')).toEqual({ ok: true, value: 0 });
    expect(parseField('durationOrZero', '0')).toEqual({ ok: true, value: 0 });
    expect(parseField('durationOrZero', '45s')).toEqual({ ok: true, value: 45 });
  });

  it('round-trip every duration setting of the defaults', () => {
    const draft = draftOf(saved());
    expect(draft.pendingTimeout).toBe('10m');
    expect(draft.maxDuration).toBe('1d');
    expect(draft['accrual.intervalSeconds']).toBe('5m');
    expect(patchOf(saved(), draft)).toEqual({ patch: {}, changed: [], problems: {} });
  });
});

describe('the PATCH body', () => {
  it('holds only the changed settings, compared by value, with accrual nested', () => {
    const draft = { ...draftOf(saved()), defaultDuration: '1800s', minStake: '25', maxPledge: '', 'accrual.amount': '12', blockedWords: ' spoiler \n\n cheat', requireApproval: false };
    expect(patchOf(saved(), draft)).toEqual({
      patch: { minStake: 25, requireApproval: false, blockedWords: ['spoiler', 'cheat'], accrual: { amount: 12 } },
      changed: ['minStake', 'requireApproval', 'blockedWords', 'accrual.amount'],
      problems: {},
    });
  });

  it('sends an empty largest pledge as no limit, and grouping in numbers is allowed', () => {
    const limited = { ...saved(), maxPledge: 5000 };
    expect(patchOf(limited, { ...draftOf(limited), maxPledge: '' }).patch).toEqual({ maxPledge: null });
    expect(patchOf(saved(), { ...draftOf(saved()), startingBalance: '2,500' }).patch).toEqual({ startingBalance: 2500 });
  });

  it('reports text it cannot read instead of sending it', () => {
    const draft = { ...draftOf(saved()), minStake: 'ten', verdictGrace: 'soon', 'accrual.excludedLogins': 'nightbot, not a-login!' };
    const result = patchOf(saved(), draft);
    expect(result.patch).toEqual({});
    expect(result.problems).toEqual({ minStake: { problem: 'number' }, verdictGrace: { problem: 'duration' }, 'accrual.excludedLogins': { problem: 'login', login: 'a-login!' } });
  });
});

describe('placing a refusal', () => {
  it("uses the server's field, or the setting its message names", () => {
    expect(fieldOfError('minStake', 'body.minStake must be >= 1')).toBe('minStake');
    expect(fieldOfError('accrual.intervalSeconds', 'body.accrual.intervalSeconds must be >= 60')).toBe('accrual.intervalSeconds');
    expect(fieldOfError(null, 'body.currencyName must match format "plain-text"')).toBe('currencyName');
    expect(fieldOfError(null, 'minDuration must not exceed maxDuration; defaultDuration must lie between')).toBe('minDuration');
    expect(fieldOfError(null, 'Only the channel\'s owner or the admin may do this')).toBeNull();
    expect(fieldOfError('settings', 'body.settings must NOT have fewer than 1 properties')).toBeNull();
  });

  it('covers every setting the server has', () => {
    const keys = FIELDS.map((f) => f.key);
    for (const key of Object.keys(DEFAULT_SETTINGS)) {
      if (key === 'accrual') continue;
      expect(keys).toContain(key);
    }
    for (const key of Object.keys(DEFAULT_SETTINGS.accrual)) expect(keys).toContain(`accrual.${key}`);
  });
});
