/**
 * The pure parts of the missions history: the URL and REST forms of its filters, the export
 * periods, a mission's timeline with and without the audit trail, durations as the grammar
 * writes them, and actor labels read back.
 */
import { describe, expect, it } from 'vitest';
import type { ActivityEntry, Mission, Pledge } from '../../dashboard/src/api/types.js';
import { exportQuery, filterProblem, filtersToApiQuery, filtersToSearch, NO_FILTERS, nextDay, parseFilters } from '../../dashboard/src/history/filters.js';
import { durationText } from '../../dashboard/src/history/format.js';
import { buildTimeline, PLEDGES_LISTED } from '../../dashboard/src/history/timeline.js';
import { actorLabel, parseActorLabel, userActorLabel } from '../../server/domain/actor.js';
import { parseDuration, toSeconds } from '../../server/domain/grammar/duration.js';

describe('history filters', () => {
  it('round-trip through the URL, dropping what the form could not have written', () => {
    const f = { ...NO_FILTERS, status: 'failed' as const, proposer: 'alice', to: '2026-03-31' };
    expect(filtersToSearch(f)).toBe('?status=failed&proposer=alice&to=2026-03-31');
    expect(parseFilters(filtersToSearch(f))).toEqual(f);
    expect(parseFilters('?status=done&proposer=a%20b&judge=Bob&from=2026-02-30&to=tomorrow')).toEqual({ ...NO_FILTERS, judge: 'bob' });
    expect(filtersToSearch(NO_FILTERS)).toBe('');
  });

  it('send the inclusive end date to the REST list as an exclusive until', () => {
    const query = filtersToApiQuery({ ...NO_FILTERS, judge: 'mia', from: '2026-02-28', to: '2026-02-28' }, '120', 50);
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({ limit: '50', judge: 'mia', since: '2026-02-28', until: '2026-03-01', cursor: '120' });
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('name what is wrong with typed filters', () => {
    expect(filterProblem({ ...NO_FILTERS, proposer: 'a b' })).toBe('proposer');
    expect(filterProblem({ ...NO_FILTERS, judge: 'x' })).toBe('judge');
    expect(filterProblem({ ...NO_FILTERS, from: '2026-03-02', to: '2026-03-01' })).toBe('range');
    expect(filterProblem({ ...NO_FILTERS, from: '2026-03-01', to: '2026-03-01' })).toBeNull();
  });

  it('turn a month or inclusive days into the export routes from/to', () => {
    expect(exportQuery({ month: '2026-12' })).toBe('?from=2026-12-01&to=2027-01-01');
    expect(exportQuery({ month: '2026-02' })).toBe('?from=2026-02-01&to=2026-03-01');
    expect(exportQuery({ from: '2026-03-01', to: '2026-03-15' })).toBe('?from=2026-03-01&to=2026-03-16');
    expect(exportQuery({ month: '' })).toBe('');
  });
});

describe('durations', () => {
  it.each([[90, '1m30s'], [1200, '20m'], [5400, '1h30m'], [86_400, '1d'], [93_784, '1d2h3m4s']])('%i s reads %s, which the grammar reads back', (seconds, text) => {
    expect(durationText(seconds)).toBe(text);
    const parsed = parseDuration(text);
    expect(parsed.ok && toSeconds(parsed.value)).toBe(seconds);
  });
});

describe('actor labels', () => {
  it('read back what actorLabel writes, and anything else as the system', () => {
    expect(parseActorLabel(userActorLabel('123'))).toEqual({ kind: 'user', userId: '123' });
    expect(parseActorLabel(actorLabel({ kind: 'admin' }))).toEqual({ kind: 'admin' });
    expect(parseActorLabel(actorLabel({ kind: 'dashboard', channelId: 1, role: 'owner', tokenId: 7 }))).toEqual({ kind: 'token', role: 'owner', tokenId: 7 });
    expect(parseActorLabel('system')).toEqual({ kind: 'system' });
    expect(parseActorLabel('settlement')).toEqual({ kind: 'system' });
    expect(parseActorLabel('user:')).toEqual({ kind: 'system' });
  });
});

const alice = { userId: '1', login: 'alice', displayName: 'Alice' };
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 12, minute)).toISOString();
const mission = (extra: Partial<Mission> = {}): Mission => ({
  number: 4, text: 'Beat the boss', status: 'succeeded', pot: 300, backers: 2, proposer: alice,
  createdAt: at(0), openedAt: at(5), deadline: at(35), resolvedAt: at(40), settled: true, reason: null,
  newestBacker: null, graceEndsAt: null, pendingExpiresAt: null, durationSeconds: 1800, closedAt: null, settledAt: at(40),
  resolvedBy: { kind: 'user', userId: '9', login: 'mia', displayName: 'Mia', tokenId: null }, ...extra,
});
const pledge = (id: number, minute: number, amount: number): Pledge => ({ id, missionNumber: 4, viewer: { ...alice, displayName: `V${id}` }, amount, createdAt: at(minute), settlement: 'paid' });
const entry = (action: ActivityEntry['action'], minute: number, extra: Partial<ActivityEntry> = {}): ActivityEntry => ({
  id: minute, at: at(minute), action, source: 'dashboard', missionNumber: 4, subject: null, amount: null, reason: null, details: null,
  actor: { kind: 'user', userId: '9', login: 'mia', displayName: 'Mia', tokenId: null }, ...extra,
});

describe('a mission timeline', () => {
  it('without the trail: from the mission row, approvals without an author, pledges listed, oldest first', () => {
    const kinds = buildTimeline({ mission: mission(), pledges: [pledge(1, 0, 100), pledge(2, 10, 200)], allPledges: true, trail: null });
    expect(kinds.map((e) => e.kind)).toEqual(['proposed', 'pledge', 'approved', 'pledge', 'verdict', 'settled']);
    expect(kinds.find((e) => e.kind === 'approved')).toEqual({ kind: 'approved', at: at(5), who: null });
    expect(kinds.find((e) => e.kind === 'verdict')).toMatchObject({ verdict: 'succeeded', who: { login: 'mia' } });
  });

  it('with the trail: its authors and extensions replace what the row alone can say', () => {
    const trail = [
      entry('mission.proposed', 0, { actor: { ...alice, kind: 'user', tokenId: null } }),
      entry('mission.approved', 5),
      entry('mission.extended', 20, { details: { deadline: at(45) } }),
      entry('mission.succeeded', 40, { reason: 'clean run' }),
    ];
    const entries = buildTimeline({ mission: mission(), pledges: [pledge(1, 0, 100)], allPledges: true, trail });
    expect(entries.map((e) => e.kind)).toEqual(['proposed', 'pledge', 'approved', 'extended', 'verdict', 'settled']);
    expect(entries[0]).toEqual({ kind: 'proposed', at: at(0), who: { kind: 'user', login: 'alice', displayName: 'Alice', tokenId: null } });
    expect(entries.find((e) => e.kind === 'extended')).toMatchObject({ deadline: at(45) });
    // The admin typing a proposal in for the streamer: the proposer stays the proposer.
    const admin = { kind: 'admin' as const, userId: null, login: null, displayName: null, tokenId: null };
    expect(buildTimeline({ mission: mission(), pledges: [], allPledges: true, trail: [entry('mission.proposed', 0, { actor: admin })] })[0]).toMatchObject({ who: { login: 'alice' }, via: admin });
    expect(entries.find((e) => e.kind === 'approved')).toMatchObject({ who: { login: 'mia' } });
    expect(entries.find((e) => e.kind === 'verdict')).toMatchObject({ reason: 'clean run' });
  });

  it('summarises many pledges, and reads the timers as expiry and timeout', () => {
    const many = Array.from({ length: PLEDGES_LISTED + 1 }, (_, i) => pledge(i + 1, i, 50));
    const summary = buildTimeline({ mission: mission(), pledges: many, allPledges: true, trail: [] });
    expect(summary.filter((e) => e.kind === 'pledge')).toHaveLength(0);
    expect(summary.find((e) => e.kind === 'pledges')).toEqual({ kind: 'pledges', at: at(0), backers: 2, total: 300 });
    const system = { kind: 'system' as const, userId: null, login: null, displayName: null, tokenId: null };
    const expired = buildTimeline({ mission: mission({ status: 'failed', resolvedBy: system, settled: false }), pledges: [], allPledges: true, trail: null });
    expect(expired.map((e) => e.kind)).toEqual(['proposed', 'approved', 'expired']);
    const timedOut = buildTimeline({ mission: mission({ status: 'rejected', openedAt: null, resolvedBy: system, settled: false }), pledges: [], allPledges: true, trail: null });
    expect(timedOut.map((e) => e.kind)).toEqual(['proposed', 'timedOut']);
    // The opening pledge, stamped a moment before the mission itself, still comes after the proposal.
    const early = { ...pledge(1, 0, 100), createdAt: new Date(Date.parse(at(0)) - 3).toISOString() };
    const atOnce = buildTimeline({ mission: mission({ openedAt: at(0) }), pledges: [early], allPledges: true, trail: null });
    expect(atOnce.map((e) => e.kind).slice(0, 3)).toEqual(['proposed', 'openedAtOnce', 'pledge']);
  });
});
