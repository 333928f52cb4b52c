import { describe, expect, it } from 'vitest';
import { createOutboxCore, INVISIBLE_MARK, missionScope, type Drop, type OutboxCore } from '../../bot/output/index.js';
import { maxInWindow } from '../support/windows.js';

interface Sent {
  at: number;
  channel: string;
  text: string;
}

/** Runs the core's clock forward from `start`, following its wake-ups, until it is idle. */
function runUntilIdle(core: OutboxCore, start: number, sent: Sent[] = [], drops: Drop[] = []): number {
  let now = start;
  for (let guard = 0; guard < 100_000; guard++) {
    const result = core.take(now);
    for (const s of result.sends) sent.push({ at: now, channel: s.channel, text: s.text });
    drops.push(...result.drops);
    if (result.wakeAt === null) return now;
    expect(result.wakeAt).toBeGreaterThan(now);
    now = result.wakeAt;
  }
  throw new Error('outbox never went idle');
}


describe('outbox core', () => {
  it('sends at once while the budget allows, highest priority first', () => {
    const core = createOutboxCore();
    core.setModerator('chan', true);
    core.enqueue('chan', { text: '@a usage: !pledge <n> <amount>', priority: 'error' }, 0);
    core.enqueue('chan', { text: '@b pledged 100 to #1', priority: 'confirm' }, 0);
    core.enqueue('chan', { text: '#2 is live!', priority: 'announce' }, 0);
    core.enqueue('chan', { text: '#1 SUCCESS!', priority: 'verdict' }, 0);
    const { sends, wakeAt } = core.take(0);
    expect(sends.map((s) => s.text)).toEqual(['#1 SUCCESS!', '#2 is live!', '@b pledged 100 to #1', '@a usage: !pledge <n> <amount>']);
    expect(wakeAt).toBeNull();
  });

  it('keeps to 18 per 30 s and a 1.3 s gap when not a moderator', () => {
    const core = createOutboxCore({ maxQueuedPerChannel: 100, confirmTtlMs: 600_000 });
    for (let i = 0; i < 40; i++) core.enqueue('chan', { text: `#1 line ${i}`, priority: 'confirm' }, 0);
    const sent: Sent[] = [];
    runUntilIdle(core, 0, sent);
    expect(sent).toHaveLength(40);
    expect(maxInWindow(sent.map((s) => s.at), 30_000)).toBe(18);
    for (let i = 1; i < sent.length; i++) expect((sent[i] as Sent).at - (sent[i - 1] as Sent).at).toBeGreaterThanOrEqual(1_300);
  });

  it('raises the limit to 90 with no gap while each line is answered by a moderator USERSTATE, and lowers it back', () => {
    const core = createOutboxCore({ maxQueuedPerChannel: 200 });
    for (let i = 0; i < 120; i++) core.enqueue('chan', { text: `#1 line ${i}`, priority: 'announce' }, 0);
    expect(core.take(0).sends).toHaveLength(1);
    let sent = 1;
    // Twitch answers every line with a USERSTATE; each one confirms the status again.
    for (let guard = 0; guard < 200; guard++) {
      core.setModerator('chan', true);
      const n = core.take(0).sends.length;
      if (n === 0) break;
      sent += n;
    }
    expect(sent).toBe(90);
    expect(core.stats('chan', 0)).toMatchObject({ moderator: true, limit: 90, available: 0, sent: 90 });
    core.setModerator('chan', false);
    const later = core.take(30_000);
    expect(later.sends).toHaveLength(1); // back to the gap
    expect(core.stats('chan', 30_000).limit).toBe(18);
  });

  it('charges the user bucket while no USERSTATE has confirmed moderator since the last line (an unnoticed un-mod)', () => {
    const core = createOutboxCore({ maxQueuedPerChannel: 200, confirmTtlMs: 600_000 });
    core.setModerator('chan', true);
    for (let i = 0; i < 60; i++) core.enqueue('chan', { text: `#1 line ${i}`, priority: 'confirm' }, 0);
    // No USERSTATE arrives (Twitch stopped treating the bot as a moderator and says nothing).
    const sent: Sent[] = [];
    runUntilIdle(core, 0, sent);
    expect(sent).toHaveLength(60);
    expect(maxInWindow(sent.map((s) => s.at), 30_000)).toBeLessThanOrEqual(18);
  });

  it('shares the account-wide user bucket between channels where it is not a moderator', () => {
    const core = createOutboxCore({ maxQueuedPerChannel: 100, confirmTtlMs: 600_000 });
    for (let i = 0; i < 30; i++) {
      core.enqueue('a', { text: `a ${i}`, priority: 'confirm' }, 0);
      core.enqueue('b', { text: `b ${i}`, priority: 'confirm' }, 0);
    }
    core.enqueue('m', { text: 'mod channel', priority: 'confirm' }, 0);
    core.setModerator('m', true);
    const sent: Sent[] = [];
    runUntilIdle(core, 0, sent);
    const nonMod = sent.filter((s) => s.channel !== 'm').map((s) => s.at);
    expect(nonMod).toHaveLength(60);
    expect(maxInWindow(nonMod, 30_000)).toBeLessThanOrEqual(18);
    expect(sent.find((s) => s.channel === 'm')?.at).toBe(0);
  });

  it('lets a verdict jump a long queue', () => {
    const core = createOutboxCore({ confirmTtlMs: 600_000 });
    for (let i = 0; i < 10; i++) core.enqueue('chan', { text: `@v${i} pledged`, priority: 'confirm' }, 0);
    const first = core.take(0);
    expect(first.sends.map((s) => s.text)).toEqual(['@v0 pledged']);
    core.enqueue('chan', { text: '#3 failed — 23 backers refunded', priority: 'verdict' }, 500);
    const next = core.take(1_300);
    expect(next.sends.map((s) => s.text)).toEqual(['#3 failed — 23 backers refunded']);
  });

  it('drops per-user errors first when the queue overflows, and never a verdict', () => {
    const core = createOutboxCore({ maxQueuedPerChannel: 5 });
    const drops: Drop[] = [];
    drops.push(...core.enqueue('chan', { text: 'e1', priority: 'error' }, 0));
    drops.push(...core.enqueue('chan', { text: 'c1', priority: 'confirm' }, 0));
    drops.push(...core.enqueue('chan', { text: 'a1', priority: 'announce' }, 0));
    drops.push(...core.enqueue('chan', { text: 'e2', priority: 'error' }, 0));
    drops.push(...core.enqueue('chan', { text: 'v1', priority: 'verdict' }, 0));
    expect(drops).toEqual([]);
    drops.push(...core.enqueue('chan', { text: 'v2', priority: 'verdict' }, 0));
    drops.push(...core.enqueue('chan', { text: 'c2', priority: 'confirm' }, 0));
    drops.push(...core.enqueue('chan', { text: 'c3', priority: 'confirm' }, 0));
    expect(drops.map((d) => [d.message.text, d.reason])).toEqual([
      ['e1', 'overflow'],
      ['e2', 'overflow'],
      ['c1', 'overflow'],
    ]);
    for (let i = 3; i < 12; i++) drops.push(...core.enqueue('chan', { text: `v${i}`, priority: 'verdict' }, 0));
    expect(drops.some((d) => d.message.priority === 'verdict')).toBe(false);
    const sent: Sent[] = [];
    runUntilIdle(core, 0, sent, drops);
    const verdicts = sent.filter((s) => s.text.startsWith('v')).map((s) => s.text);
    expect(verdicts).toEqual(['v1', 'v2', ...Array.from({ length: 9 }, (_, i) => `v${i + 3}`)]);
    expect(drops.some((d) => d.message.priority === 'verdict')).toBe(false);
  });

  it('drops an error reply that waited longer than its TTL, but keeps older verdicts', () => {
    const core = createOutboxCore({ errorTtlMs: 5_000 });
    for (let i = 0; i < 18; i++) core.enqueue('chan', { text: `#1 line ${i}`, priority: 'announce' }, 0);
    const sent: Sent[] = [];
    runUntilIdle(core, 0, sent);
    // Budget spent at t≈18.7 s; nothing frees until t=30 s.
    core.enqueue('chan', { text: '#9 SUCCESS!', priority: 'verdict' }, 20_000);
    core.enqueue('chan', { text: '@bob usage: !pledge <n> <amount>', priority: 'error' }, 20_000);
    const drops: Drop[] = [];
    runUntilIdle(core, 20_000, sent, drops);
    expect(drops.map((d) => [d.message.text, d.reason])).toEqual([['@bob usage: !pledge <n> <amount>', 'stale']]);
    expect(sent.at(-1)).toEqual({ at: 30_000, channel: 'chan', text: '#9 SUCCESS!' });
    expect(core.stats('chan', 30_000).dropped.stale).toBe(1);
  });

  it('replaces a waiting message that has the same coalescing key', () => {
    const core = createOutboxCore();
    core.enqueue('chan', { text: 'first', priority: 'announce' }, 0);
    expect(core.take(0).sends).toHaveLength(1);
    core.enqueue('chan', { text: '#3 +2 pledges, pot 200', priority: 'confirm', key: 'pledges:chan:3' }, 100);
    core.enqueue('chan', { text: '#3 +5 pledges, pot 500', priority: 'confirm', key: 'pledges:chan:3' }, 300);
    core.enqueue('chan', { text: '#4 +1 pledges, pot 10', priority: 'confirm', key: 'pledges:chan:4' }, 400);
    core.enqueue('chan', { text: '#3 +9 pledges, pot 900', priority: 'confirm', key: 'pledges:chan:3' }, 500);
    const sent: Sent[] = [];
    runUntilIdle(core, 500, sent);
    // #3 keeps its place in line ahead of #4, with the newest text.
    expect(sent.map((s) => s.text)).toEqual(['#3 +9 pledges, pot 900', '#4 +1 pledges, pot 10']);
    expect(core.stats('chan', 5_000).replaced).toBe(2);
  });

  it('drops a repeated error or confirmation within 30 s and varies a repeated announcement', () => {
    const core = createOutboxCore();
    core.setModerator('chan', true);
    for (const priority of ['error', 'confirm', 'announce', 'verdict'] as const) {
      core.enqueue('chan', { text: `same ${priority}`, priority }, 0);
      core.enqueue('chan', { text: `same ${priority}`, priority }, 0);
    }
    core.enqueue('chan', { text: 'same verdict', priority: 'verdict' }, 0);
    const { sends, drops } = core.take(0);
    expect(sends.map((s) => s.text)).toEqual([
      'same verdict',
      `same verdict ${INVISIBLE_MARK}`,
      `same verdict ${INVISIBLE_MARK}${INVISIBLE_MARK}`,
      'same announce',
      `same announce ${INVISIBLE_MARK}`,
      'same confirm',
      'same error',
    ]);
    expect(drops.map((d) => [d.message.text, d.reason])).toEqual([
      ['same confirm', 'duplicate'],
      ['same error', 'duplicate'],
    ]);
    for (const s of sends) expect(s.text.length).toBeLessThanOrEqual(500);
    // After 30 s the plain text is fresh again.
    core.enqueue('chan', { text: 'same error', priority: 'error' }, 30_000);
    expect(core.take(30_000).sends.map((s) => s.text)).toEqual(['same error']);
  });

  it('splits long text into lines that stay within 500 even with a duplicate suffix', () => {
    const core = createOutboxCore();
    core.setModerator('chan', true);
    const text = `#7 "${'no deaths '.repeat(150)}" proposed by @alice`;
    core.enqueue('chan', { text, priority: 'announce' }, 0);
    core.enqueue('chan', { text, priority: 'announce' }, 0);
    const { sends } = core.take(0);
    expect(sends.length).toBeGreaterThanOrEqual(6);
    for (const s of sends) expect(s.text.length).toBeLessThanOrEqual(500);
    expect(new Set(sends.map((s) => s.text)).size).toBe(sends.length);
  });

  it('neutralises a line that would start as a chat command', () => {
    const core = createOutboxCore();
    core.enqueue('chan', { text: '/ban streamer', priority: 'confirm' }, 0);
    const [line] = core.take(0).sends;
    expect(line?.text).toBe(`${INVISIBLE_MARK}/ban streamer`);
  });

  it('respects ROOMSTATE slow mode unless moderator', () => {
    const core = createOutboxCore({ confirmTtlMs: 600_000 });
    core.setSlowMode('chan', 3);
    for (let i = 0; i < 3; i++) core.enqueue('chan', { text: `#1 line ${i}`, priority: 'confirm' }, 0);
    const sent: Sent[] = [];
    runUntilIdle(core, 0, sent);
    expect(sent.map((s) => s.at)).toEqual([0, 3_250, 6_500]);
  });

  it('drain drops everything with the given reason', () => {
    const core = createOutboxCore();
    core.enqueue('chan', { text: 'x', priority: 'verdict' }, 0);
    core.enqueue('chan', { text: 'y', priority: 'error' }, 0);
    expect(core.drain('closed').map((d) => d.reason)).toEqual(['closed', 'closed']);
    expect(core.size()).toBe(0);
  });

  describe('lines about one mission', () => {
    /** A channel whose budget is spent until t=30 s. */
    function fullBudget(): OutboxCore {
      const core = createOutboxCore({ maxQueuedPerChannel: 100, confirmTtlMs: 600_000 });
      for (let i = 0; i < 18; i++) core.enqueue('chan', { text: `#9 line ${i}`, priority: 'announce' }, 0);
      runUntilIdle(core, 0);
      return core;
    }

    it('a verdict landing on a full budget drops the lines it made untrue instead of overtaking them', () => {
      const core = fullBudget();
      const drops: Drop[] = [];
      drops.push(...core.enqueue('chan', { text: '#2 "Win" proposed — mods: !mission approve 2', priority: 'announce', mission: missionScope.proposed(2) }, 25_000));
      drops.push(...core.enqueue('chan', { text: '#2 is live! Back it: !pledge 2 <amount>', priority: 'announce', mission: missionScope.opened(2) }, 25_100));
      drops.push(...core.enqueue('chan', { text: '#2 +3 backers, pot 400 pts', priority: 'confirm', key: 'pledges:chan:2', mission: missionScope.pot(2) }, 25_200));
      drops.push(...core.enqueue('chan', { text: '#5 +1 backers, pot 90 pts', priority: 'confirm', mission: missionScope.pot(5) }, 25_300));
      drops.push(...core.enqueue('chan', { text: '#2 failed — 4 backers refunded 400 pts', priority: 'verdict', mission: missionScope.verdict(2) }, 25_400));
      const sent: Sent[] = [];
      runUntilIdle(core, 25_400, sent, drops);
      expect(sent.map((s) => s.text)).toEqual(['#2 failed — 4 backers refunded 400 pts', '#5 +1 backers, pot 90 pts']);
      expect(drops.map((d) => [d.message.text, d.reason])).toEqual([
        ['#2 "Win" proposed — mods: !mission approve 2', 'superseded'],
        ['#2 is live! Back it: !pledge 2 <amount>', 'superseded'],
        ['#2 +3 backers, pot 400 pts', 'superseded'],
      ]);
    });

    it('keeps the order of a mission’s states whatever the priorities, and refuses news older than its verdict', () => {
      const core = fullBudget();
      core.enqueue('chan', { text: '#3 +2 backers, pot 300 pts', priority: 'confirm', mission: missionScope.pot(3) }, 20_000);
      core.enqueue('chan', { text: "#3 time's up — mods have 15m to judge", priority: 'announce', mission: missionScope.closed(3) }, 20_100);
      core.enqueue('chan', { text: '#4 is live!', priority: 'announce', mission: missionScope.opened(4) }, 20_200);
      const sent: Sent[] = [];
      runUntilIdle(core, 20_200, sent);
      // #4 may go first (another mission, higher priority), but #3's pot line stays before its close.
      expect(sent.map((s) => s.text)).toEqual(['#4 is live!', '#3 +2 backers, pot 300 pts', "#3 time's up — mods have 15m to judge"]);

      core.enqueue('chan', { text: '#3 SUCCESS! 300 pts go to the streamer', priority: 'verdict', mission: missionScope.verdict(3) }, 60_000);
      const late = core.enqueue('chan', { text: '@zoe pledged 10 to #3, pot 310 pts', priority: 'confirm', mission: missionScope.pot(3) }, 60_001);
      expect(late.map((d) => d.reason)).toEqual(['superseded']);
      expect(core.take(60_001).sends.map((s) => s.text)).toEqual(['#3 SUCCESS! 300 pts go to the streamer']);
      expect(core.stats('chan', 60_001).dropped.superseded).toBe(1);
      // An answer describing the ended mission as ended is still true.
      expect(core.enqueue('chan', { text: '#3 succeeded, pot 300', priority: 'confirm', mission: missionScope.snapshot(3, 'ended') }, 61_000)).toEqual([]);
      expect(core.enqueue('chan', { text: '#3 is live!', priority: 'announce', mission: missionScope.opened(3) }, 61_000).map((d) => d.reason)).toEqual(['superseded']);
    });
  });

  describe('answers from Twitch', () => {
    it('resends a line refused with msg_ratelimit after a pause, and varies one refused as a duplicate', () => {
      const core = createOutboxCore();
      core.enqueue('chan', { text: '#1 is live!', priority: 'announce' }, 0);
      expect(core.take(0).sends.map((s) => s.text)).toEqual(['#1 is live!']);
      expect(core.notice('chan', 'msg_ratelimit', 'Your message was not sent because you are sending messages too quickly.', 100)).toEqual([]);
      expect(core.take(1_500).sends).toEqual([]);
      const retried = core.take(2_100).sends.map((s) => s.text);
      // Chat never saw it, but Twitch compares with what it received: it goes out varied.
      expect(retried).toEqual([`#1 is live! ${INVISIBLE_MARK}`]);
      core.notice('chan', 'msg_duplicate', 'Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago.', 2_200);
      expect(core.take(3_500).sends.map((s) => s.text)).toEqual([`#1 is live! ${INVISIBLE_MARK}${INVISIBLE_MARK}`]);
    });

    it('holds a channel where the bot is banned or timed out, keeps its verdict, and resumes when a line is shown', () => {
      const core = createOutboxCore();
      core.enqueue('chan', { text: '#1 SUCCESS!', priority: 'verdict' }, 0);
      core.take(0);
      core.notice('chan', 'msg_timedout', 'You are timed out for 120 more seconds.', 50);
      expect(core.stats('chan', 50).muted).toBe('msg_timedout');
      expect(core.mutedChannels()).toEqual([{ channel: 'chan', reason: 'msg_timedout' }]);
      const held = core.take(60_000);
      expect(held.sends).toEqual([]);
      expect(held.wakeAt).toBe(121_050);
      expect(core.take(121_050).sends.map((s) => s.text)).toEqual(['#1 SUCCESS!']);
      core.setModerator('chan', false); // the USERSTATE that answers a line Twitch showed
      expect(core.stats('chan', 121_100).muted).toBeNull();
    });

    it('does not resend a refused line that the mission has made untrue meanwhile', () => {
      const core = createOutboxCore();
      core.enqueue('chan', { text: '#2 is live!', priority: 'announce', mission: missionScope.opened(2) }, 0);
      core.take(0);
      core.enqueue('chan', { text: '#2 failed', priority: 'verdict', mission: missionScope.verdict(2) }, 10);
      expect(core.notice('chan', 'msg_ratelimit', 'too quickly', 20).map((d) => [d.message.text, d.reason])).toEqual([['#2 is live!', 'send-failed']]);
      expect(core.take(5_000).sends.map((s) => s.text)).toEqual(['#2 failed']);
    });

    it('gives up a line automod refused, and ignores notices that are not about its lines', () => {
      const core = createOutboxCore();
      core.enqueue('chan', { text: '#1 "bad words" proposed', priority: 'announce' }, 0);
      core.take(0);
      expect(core.notice('chan', 'msg_rejected', 'Your message is being checked by mods and has not been sent.', 10).map((d) => d.reason)).toEqual(['send-failed']);
      expect(core.notice('chan', 'host_on', 'Now hosting someone.', 20)).toEqual([]);
      expect(core.size()).toBe(0);
    });

    it('holds lines while the channel is not joined and sends them in order once it is', () => {
      const core = createOutboxCore();
      core.setModerator('chan', true);
      core.setReady('chan', false);
      core.enqueue('chan', { text: 'a', priority: 'announce' }, 0);
      core.enqueue('chan', { text: 'b', priority: 'announce' }, 0);
      expect(core.take(0)).toMatchObject({ sends: [], wakeAt: null });
      expect(core.stats('chan', 0).ready).toBe(false);
      core.setReady('chan', true);
      expect(core.take(5_000).sends.map((s) => s.text)).toEqual(['a', 'b']);
    });
  });
});
