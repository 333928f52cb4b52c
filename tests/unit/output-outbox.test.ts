import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createOutbox,
  createPledgeCoalescer,
  setTimeoutSchedule,
  type DropReason,
  type DroppedMessage,
  type OutboxOptions,
  type PledgeConfirmation,
} from '../../bot/output/index.js';
import { maxInWindow } from '../support/windows.js';

interface Sent {
  at: number;
  channel: string;
  text: string;
}


function setup(overrides: Partial<OutboxOptions> = {}) {
  const sent: Sent[] = [];
  const drops: { message: DroppedMessage; reason: DropReason }[] = [];
  const outbox = createOutbox({
    send: (channel, text) => {
      sent.push({ at: Date.now(), channel, text });
    },
    now: () => Date.now(),
    schedule: setTimeoutSchedule,
    onDrop: (message, reason) => drops.push({ message, reason }),
    ...overrides,
  });
  return { outbox, sent, drops };
}

const formatPledges = (c: PledgeConfirmation): string =>
  c.kind === 'single'
    ? `@${c.login} +${c.amount} on #${c.missionNumber}, pot ${c.pot.toLocaleString('en')} pts`
    : `#${c.missionNumber} +${c.count} pledges, pot ${c.pot.toLocaleString('en')} pts`;

describe('outbox driver', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends on the next tick, in priority order, and flush resolves when empty', async () => {
    const { outbox, sent } = setup();
    outbox.setModerator('chan', true);
    outbox.enqueue('chan', { text: '@a usage: !points [@user]', priority: 'error' });
    outbox.enqueue('chan', { text: '#1 SUCCESS! 4,350 pts go to the streamer', priority: 'verdict' });
    expect(sent).toEqual([]);
    const flushed = outbox.flush();
    await vi.advanceTimersByTimeAsync(0);
    await flushed;
    expect(sent.map((s) => s.text)).toEqual(['#1 SUCCESS! 4,350 pts go to the streamer', '@a usage: !points [@user]']);
    expect(outbox.stats('chan')).toMatchObject({ queued: 0, sent: 2, moderator: true, limit: 90 });
  });

  it('waits for budget with a timer, not a busy loop', async () => {
    const { outbox, sent } = setup({ userLimit: 2, confirmTtlMs: 600_000 });
    for (let i = 0; i < 3; i++) outbox.enqueue('chan', { text: `#1 line ${i}`, priority: 'confirm' });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(sent.map((s) => s.at)).toEqual([0, 1_300]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.at)).toEqual([0, 1_300, 30_000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a moderator flag from USERSTATE releases held messages at once', async () => {
    const ready = setup({
      confirmTtlMs: 600_000,
      // Twitch answers each line with a USERSTATE that still says moderator.
      send: (channel, text) => {
        ready.sent.push({ at: Date.now(), channel, text });
        queueMicrotask(() => ready.outbox.setModerator(channel, true));
      },
    });
    const { outbox, sent } = ready;
    for (let i = 0; i < 30; i++) outbox.enqueue('chan', { text: `#1 line ${i}`, priority: 'confirm' });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(1);
    outbox.setModerator('chan', true);
    // Each answer is a microtask after its line, and each answer releases the next line.
    for (let i = 0; i < 40 && sent.length < 30; i++) await vi.advanceTimersToNextTimerAsync();
    expect(sent).toHaveLength(30);
    expect(sent.at(-1)?.at).toBeLessThanOrEqual(1);
  });

  it('calls onSent once the last line is out, never for a replaced or dropped message', async () => {
    const { outbox } = setup();
    const seen: string[] = [];
    outbox.enqueue('chan', { text: 'a', priority: 'announce' });
    outbox.enqueue('chan', { text: 'b1', priority: 'confirm', key: 'k', onSent: () => seen.push('b1') });
    outbox.enqueue('chan', { text: 'b2', priority: 'confirm', key: 'k', onSent: () => seen.push('b2') });
    outbox.enqueue('chan', { text: 'x '.repeat(400), priority: 'announce', onSent: () => seen.push('long') });
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_300);
    expect(seen).toEqual([]); // first of its two lines only
    await vi.advanceTimersByTimeAsync(1_300);
    expect(seen).toEqual(['long']);
    await vi.advanceTimersByTimeAsync(1_300);
    expect(seen).toEqual(['long', 'b2']);
  });

  it('puts a line the client could not send back at the head, charged once, and sends it once connected', async () => {
    let connected = false;
    const attempts: string[] = [];
    const { outbox, sent, drops } = setup({
      userLimit: 3,
      send: (channel, text) => {
        attempts.push(text);
        if (!connected) return Promise.reject(new Error('Not connected to server.'));
        sent.push({ at: Date.now(), channel, text });
        return Promise.resolve();
      },
    });
    outbox.enqueue('chan', { text: '#2 failed — 3 backers refunded 500 pts', priority: 'verdict' });
    outbox.enqueue('chan', { text: '#3 is live!', priority: 'announce' });
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toEqual(['#2 failed — 3 backers refunded 500 pts']);
    // Verdicts are retried however long the reconnect takes.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([]);
    connected = true;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent.map((s) => s.text)).toEqual(['#2 failed — 3 backers refunded 500 pts', '#3 is live!']);
    expect(drops).toEqual([]);
    // The failed attempts were given back: 2 of 3 used, so one more line goes out at once.
    expect(outbox.stats('chan').available).toBe(1);
  });

  it('gives up a non-verdict line after its retries, and drops everything on close', async () => {
    const { outbox, drops } = setup({ send: () => Promise.reject(new Error('socket closed')) });
    outbox.enqueue('chan', { text: '#2 is live!', priority: 'announce' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(drops.map((d) => [d.message.text, d.reason])).toEqual([['#2 is live!', 'send-failed']]);
    outbox.enqueue('chan', { text: '#3 is live!', priority: 'announce' });
    const flushed = outbox.flush();
    outbox.close();
    await flushed;
    outbox.enqueue('chan', { text: '#4 is live!', priority: 'announce' });
    expect(drops.slice(1).map((d) => [d.message.text, d.reason])).toEqual([
      ['#3 is live!', 'closed'],
      ['#4 is live!', 'closed'],
    ]);
    expect(outbox.stats('chan').dropped['send-failed']).toBe(1);
  });

  it('500 raw confirmations in 5 s stay inside 18 per 30 s; the overflow is dropped, not lost silently', async () => {
    const { outbox, sent, drops } = setup({ maxQueuedPerChannel: 50 });
    for (let i = 0; i < 500; i++) {
      outbox.enqueue('chan', { text: `@viewer${i} pledged 10 to #1`, priority: 'confirm' });
      await vi.advanceTimersByTimeAsync(10);
    }
    const flushed = outbox.flush();
    await vi.runAllTimersAsync();
    await flushed;
    expect(maxInWindow(sent.map((s) => s.at), 30_000)).toBeLessThanOrEqual(18);
    expect(sent.length + drops.length).toBe(500);
    expect(drops.every((d) => d.reason === 'overflow' || d.reason === 'stale')).toBe(true);
  });

  it('a pledge storm through the coalescer: budget kept, verdict sent, errors dropped first, final pot last', async () => {
    const { outbox, sent, drops } = setup();
    const coalescer = createPledgeCoalescer({
      windowMs: 1_000,
      now: () => Date.now(),
      schedule: setTimeoutSchedule,
      emit: (channel, c) =>
        outbox.enqueue(channel, {
          text: formatPledges(c),
          priority: 'confirm',
          key: `pledges:${channel}:${c.missionNumber}`,
          onSent: () => coalescer.acknowledge(channel, c),
        }),
    });
    // Eight missions, each summarised once a second: far more than 18 lines per 30 s of demand.
    const finalPot = new Map<number, number>();
    const pledges = new Map<number, number>();
    for (let i = 0; i < 500; i++) {
      const mission = 1 + (i % 8);
      pledges.set(mission, (pledges.get(mission) ?? 0) + 1);
      const pot = (finalPot.get(mission) ?? 0) + 10 * mission;
      finalPot.set(mission, pot);
      coalescer.add('chan', { missionNumber: mission, viewerLogin: `v${i}`, amount: 10 * mission, pot, backers: i + 1, newBacker: true });
      if (i % 50 === 0) outbox.enqueue('chan', { text: `@v${i} usage: !pledge <n> <amount>`, priority: 'error' });
      if (i === 450) outbox.enqueue('chan', { text: '#9 SUCCESS! 1,000 pts go to the streamer', priority: 'verdict' });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1_000); // let the coalescer's last window close
    const flushed = outbox.flush();
    await vi.runAllTimersAsync();
    await flushed;

    expect(maxInWindow(sent.map((s) => s.at), 30_000)).toBeLessThanOrEqual(18);
    // Coalescing, not the budget, did the heavy lifting: 500 pledges became a handful of lines.
    expect(sent.length).toBeLessThan(30);
    // "+N" counts what chat had not yet seen, so the lines for one mission add up to its pledges.
    for (const mission of finalPot.keys()) {
      const counted = sent
        .filter((s) => s.text.startsWith(`#${mission} +`) || s.text.includes(`on #${mission},`))
        .reduce((sum, s) => sum + Number(/^#\d+ \+(\d+) pledges/.exec(s.text)?.[1] ?? 1), 0);
      expect(counted).toBe(pledges.get(mission));
    }
    const verdictAt = sent.findIndex((s) => s.text.startsWith('#9 SUCCESS!'));
    expect(verdictAt).toBeGreaterThanOrEqual(0);
    // Enqueued at 4.5 s, it waits only for the 1.1 s gap, not behind the pledge lines.
    expect((sent[verdictAt] as Sent).at).toBeLessThan(4_500 + 1_100);
    expect(drops.some((d) => d.message.priority === 'verdict')).toBe(false);
    expect(drops.length).toBeGreaterThan(0);
    expect(drops.every((d) => d.message.priority === 'error')).toBe(true);
    for (const [mission, pot] of finalPot) {
      const lines = sent.filter((s) => s.text.startsWith(`#${mission} `) || s.text.includes(`on #${mission},`));
      expect(lines.at(-1)?.text).toContain(`pot ${pot.toLocaleString('en')} pts`);
      const pots = lines.map((l) => Number(/pot ([\d,]+)/.exec(l.text)?.[1]?.replace(/,/g, '')));
      expect(pots).toEqual([...pots].sort((a, b) => a - b));
    }
    coalescer.close();
  });
});
