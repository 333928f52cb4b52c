/**
 * The outbox driver: feeds the pure core the clock, performs its sends and keeps one timer for
 * the next moment something can go out. All rules live in `outbox-core.ts`.
 */
import { createOutboxCore } from './outbox-core.js';
import type { ChannelStats, Drop, DropReason, DroppedMessage, OutboxPolicy, OutgoingMessage, Send } from './outbox-types.js';

/** Runs `fn` after `ms`; returns a function that cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export interface OutboxOptions extends OutboxPolicy {
  /** Sends one chat line (already split, sanitised and de-duplicated). */
  send: (channel: string, text: string) => Promise<void> | void;
  now: () => number;
  schedule: Schedule;
  /** Told about every message that will never be (fully) sent, and why. Must not throw. */
  onDrop?: (message: DroppedMessage, reason: DropReason) => void;
}

export interface Outbox {
  /** Queues a message; it goes out as soon as budget and priority allow (on the next tick). */
  enqueue(channel: string, message: OutgoingMessage): void;
  /** From USERSTATE: moderator or broadcaster status in `channel` (limit 90 instead of 18). */
  setModerator(channel: string, isModerator: boolean): void;
  /** From ROOMSTATE `slow`, in seconds (0 = off). */
  setSlowMode(channel: string, seconds: number): void;
  /** From ROOMSTATE: followers-, subscribers- or emote-only mode was turned off. */
  noteRoomModeLifted(channel: string): void;
  /** Connected and joined: lines wait while a channel is not ready. */
  setReady(channel: string, ready: boolean): void;
  /** A NOTICE from Twitch about the bot's line in `channel` (`msg-id` and text). */
  notice(channel: string, msgId: string, text: string): void;
  /** Channels where Twitch refuses the bot's lines, with the NOTICE id that said so. */
  mutedChannels(): { channel: string; reason: string }[];
  /** Resolves once everything queued now has been sent or dropped (or the outbox closed). */
  flush(): Promise<void>;
  /** Stops the timer and drops whatever is still queued (reason `closed`); later enqueues are dropped. */
  close(): void;
  stats(channel: string): ChannelStats;
}

/** Creates a per-channel priority outbox that keeps the bot inside Twitch's chat limits. */
export function createOutbox(options: OutboxOptions): Outbox {
  const { send, now, schedule, onDrop } = options;
  const core = createOutboxCore(options);
  let cancelTimer: (() => void) | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const report = (drops: Drop[]): void => {
    if (!onDrop) return;
    for (const { message, reason } of drops) onDrop(message, reason);
  };

  const settleWaiters = (): void => {
    if (core.size() > 0 && !closed) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const wake = (at: number): void => {
    if (closed || at >= timerAt) return;
    cancelTimer?.();
    timerAt = at;
    cancelTimer = schedule(pump, Math.max(0, at - now()));
  };

  const deliver = (line: Send): void => {
    const delivered = (): void => {
      core.delivered(line.ticket);
      line.onSent?.();
    };
    // The line goes back to the head of its queue (charged once), and is tried again shortly.
    const failed = (): void => {
      if (closed) return;
      report(core.failed(line.ticket, now()));
      wake(now());
    };
    let result: Promise<void> | void;
    try {
      result = send(line.channel, line.text);
    } catch {
      failed();
      return;
    }
    if (result && typeof result.then === 'function') result.then(delivered, failed);
    else delivered();
  };

  function pump(): void {
    cancelTimer = null;
    timerAt = Number.POSITIVE_INFINITY;
    if (closed) return;
    const { sends, drops, wakeAt } = core.take(now());
    report(drops);
    for (const line of sends) deliver(line);
    if (wakeAt !== null) wake(wakeAt);
    settleWaiters();
  }

  return {
    enqueue(channel, message) {
      if (closed) {
        report([{ message: { channel, text: message.text, priority: message.priority, enqueuedAt: now() }, reason: 'closed' }]);
        return;
      }
      report(core.enqueue(channel, message, now()));
      // Deferred to a tick, so messages enqueued together are ordered by priority, not arrival.
      wake(now());
    },
    setModerator(channel, isModerator) {
      core.setModerator(channel, isModerator);
      wake(now());
    },
    setSlowMode(channel, seconds) {
      core.setSlowMode(channel, seconds);
      wake(now());
    },
    noteRoomModeLifted(channel) {
      core.noteRoomModeLifted(channel);
      wake(now());
    },
    setReady(channel, ready) {
      core.setReady(channel, ready);
      wake(now());
    },
    notice(channel, msgId, text) {
      report(core.notice(channel, msgId, text, now()));
      wake(now());
    },
    mutedChannels() {
      return core.mutedChannels();
    },
    flush() {
      if (closed || core.size() === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    close() {
      if (closed) return;
      closed = true;
      cancelTimer?.();
      cancelTimer = null;
      report(core.drain('closed'));
      settleWaiters();
    },
    stats(channel) {
      return core.stats(channel, now());
    },
  };
}

/** A {@link Schedule} on real timers that never keeps the process alive by itself. */
export const setTimeoutSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};
