import { describe, expect, it } from 'vitest';
import { announcementFor } from '../../bot/announcer.js';
import { renderFor } from '../../bot/replies.js';
import type { MissionDto } from '../../server/domain/types.js';
import type { DomainEvent } from '../../server/events/types.js';
import { DEFAULT_SETTINGS } from '../../server/domain/settings.js';

const NOW = Date.parse('2025-01-01T12:00:00.000Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const alice = { userId: '1', login: 'alice', displayName: 'Alice' };

function mission(over: Partial<MissionDto> = {}): MissionDto {
  return {
    number: 4,
    text: 'No deaths this run',
    status: 'open',
    pot: 4_350,
    backers: 23,
    proposer: alice,
    createdAt: iso(-60_000),
    openedAt: iso(0),
    deadline: iso(30 * 60_000),
    resolvedAt: null,
    settled: false,
    reason: null,
    newestBacker: null,
    graceEndsAt: null,
    pendingExpiresAt: null,
    ...over,
  };
}

const en = { settings: DEFAULT_SETTINGS };
const ko = { settings: { ...DEFAULT_SETTINGS, locale: 'ko' as const, currencyName: '포인트' } };

function say(event: DomainEvent, channel: typeof en = en): string | null {
  const a = announcementFor(event, NOW);
  return a === null ? null : renderFor(channel, a.key, a.params);
}

const changed = (change: 'proposed' | 'opened' | 'closed' | 'extended' | 'updated', m: MissionDto): DomainEvent => ({
  type: 'mission',
  channel: 'demo',
  at: iso(0),
  change,
  mission: m,
});
const resolved = (outcome: 'succeeded' | 'failed' | 'cancelled' | 'rejected', cause: 'verdict' | 'expired' | 'pending_timeout' | 'cancel' | 'reject', m: MissionDto): DomainEvent => ({
  type: 'resolved',
  channel: 'demo',
  at: iso(0),
  outcome,
  cause,
  mission: m,
});

describe('announcementFor', () => {
  it('asks the mods to approve a pending proposal', () => {
    const m = mission({ status: 'pending', pot: 100, openedAt: null, deadline: null });
    expect(say(changed('proposed', m))).toBe('#4 "No deaths this run" proposed by @alice (100 pts) — mods: !mission approve 4');
    expect(say(changed('proposed', m), ko)).toMatch(/^#4 .*!mission approve 4/);
  });

  it('says "live" once: as the proposal when born open, plainly after an approval', () => {
    const bornOpen = mission({ createdAt: iso(0), openedAt: iso(0), pot: 100 });
    expect(say(changed('opened', bornOpen))).toBe('#4 "No deaths this run" by @alice is live (100 pts)! Back it: !pledge 4 <amount> — 30m left');
    expect(say(changed('opened', mission()))).toBe('#4 is live! Back it: !pledge 4 <amount> — 30m left');
  });

  it('announces the deadline and extensions', () => {
    expect(say(changed('closed', mission({ status: 'closed', graceEndsAt: iso(15 * 60_000) })))).toContain('15m to decide');
    expect(say(changed('extended', mission({ deadline: iso(45 * 60_000) })))).toBe('#4 extended — 45m left');
    expect(say(changed('updated', mission()))).toBeNull();
  });

  it('announces every verdict at verdict priority with the pot at stake', () => {
    const cases: [DomainEvent, string][] = [
      [resolved('succeeded', 'verdict', mission({ status: 'succeeded' })), '#4 SUCCESS! 4,350 pts go to the streamer'],
      [resolved('failed', 'verdict', mission({ status: 'failed' })), '#4 failed — 23 backers refunded 4,350 pts'],
      [resolved('failed', 'expired', mission({ status: 'failed' })), '#4 failed — 23 backers refunded 4,350 pts'],
      [resolved('cancelled', 'cancel', mission({ status: 'cancelled', reason: 'game crashed' })), '#4 cancelled (game crashed) — 23 backers refunded 4,350 pts'],
      [resolved('rejected', 'reject', mission({ status: 'rejected', pot: 100 })), '#4 was rejected — 100 pts refunded'],
      [resolved('rejected', 'pending_timeout', mission({ status: 'rejected', pot: 100 })), "#4 wasn't approved in time — 100 pts refunded"],
    ];
    for (const [event, text] of cases) {
      expect(say(event)).toBe(text);
      expect(announcementFor(event, NOW)?.priority).toBe('verdict');
    }
  });

  it('leaves pledges to the pledge command', () => {
    const event: DomainEvent = {
      type: 'pledge', channel: 'demo', at: iso(0), missionNumber: 4, count: 1, amount: 10, newBackers: 1, pot: 4_360, backers: 24, newestBacker: alice,
    };
    expect(announcementFor(event, NOW)).toBeNull();
  });
});

describe('channel events', () => {
  it('says nothing about pause or resume (the command that made it replies itself)', () => {
    const event: DomainEvent = { type: 'channel', channel: 'alice', at: iso(0), missionsPaused: true };
    expect(announcementFor(event, NOW)).toBeNull();
  });
});
