/**
 * The outbox's decision core: which queued line goes out next, which is held, which is dropped.
 * Pure — no timers, no I/O, the caller passes `now` — so every rule is unit-testable with plain
 * numbers; `outbox.ts` is the thin driver that sends and sets timers.
 */
import {
  createRateBudget,
  SAFE_MODERATOR_LIMIT,
  SAFE_USER_LIMIT,
  TWITCH_WINDOW_MS,
  type RateBudget,
} from './budget.js';
import { splitMessage, TWITCH_MAX_MESSAGE_LENGTH } from './split.js';

/** Highest first: verdicts are never dropped; per-user errors are dropped first. */
export type Priority = 'verdict' | 'announce' | 'confirm' | 'error';
export const PRIORITIES: readonly Priority[] = ['verdict', 'announce', 'confirm', 'error'];
const RANK: Record<Priority, number> = { verdict: 0, announce: 1, confirm: 2, error: 3 };

export interface OutgoingMessage {
  text: string;
  priority: Priority;
  /** Coalescing key: a newer message with the same key replaces one still waiting (per channel). */
  key?: string;
  /** Drop if still unsent after this long (overrides the priority default; ignored for verdicts). */
  ttlMs?: number;
  /**
   * Called once the last line of this message was handed to chat — not if it was replaced or
   * dropped. Lets a coalescer count "+N since the last confirmation chat actually saw".
   */
  onSent?: () => void;
}

export type DropReason = 'stale' | 'overflow' | 'duplicate' | 'closed' | 'send-failed';

export interface DroppedMessage {
  channel: string;
  /** The whole message as enqueued (all parts, if it was split). */
  text: string;
  priority: Priority;
  key?: string;
  enqueuedAt: number;
}

export interface Drop {
  message: DroppedMessage;
  reason: DropReason;
}

export interface Send {
  channel: string;
  /** One chat line, ready for PRIVMSG. */
  text: string;
  message: DroppedMessage;
  /** Set on the message's last line: the driver calls its `onSent` once that line is out. */
  onSent?: () => void;
}

export interface OutboxPolicy {
  /** Per-channel and account-wide limit in a channel where the bot is not a moderator. Default 18. */
  userLimit?: number;
  /** Limit where the bot is moderator or broadcaster. Default 90. */
  moderatorLimit?: number;
  windowMs?: number;
  /** Queue length beyond which non-verdict messages are dropped, lowest priority first. Default 50. */
  maxQueuedPerChannel?: number;
  /** A usage/error reply later than this is useless to the viewer. Default 5 s. */
  errorTtlMs?: number;
  /** A confirmation later than this confuses more than it helps. Default 60 s. */
  confirmTtlMs?: number;
  /**
   * Gap between two lines in one channel when not a moderator. Twitch enforces a 1 s minimum
   * slow mode on everyone below moderator and silently drops faster lines. Default 1100 ms.
   */
  minGapMs?: number;
  /** How long Twitch remembers a line for its duplicate filter. Default 30 s. */
  duplicateWindowMs?: number;
}

export interface ChannelStats {
  queued: number;
  queuedByPriority: Record<Priority, number>;
  sent: number;
  replaced: number;
  dropped: Record<DropReason, number>;
  moderator: boolean;
  limit: number;
  available: number;
}

export interface OutboxCore {
  /** Queues a message; returns the messages this pushed out (possibly the message itself). */
  enqueue(channel: string, message: OutgoingMessage, now: number): Drop[];
  /** From USERSTATE: moderator or broadcaster raises the limit and lifts the gap. */
  setModerator(channel: string, isModerator: boolean): void;
  /** From ROOMSTATE `slow` (seconds, 0 = off); moderators are exempt. */
  setSlowMode(channel: string, seconds: number): void;
  /** Everything that may go out at `now`, what expired, and when to look again (null: idle). */
  take(now: number): { sends: Send[]; drops: Drop[]; wakeAt: number | null };
  /** Empties every queue (shutdown). */
  drain(reason: DropReason): Drop[];
  /** Records a send the driver could not complete. */
  noteFailure(channel: string): void;
  /** Messages waiting, all channels. */
  size(): number;
  stats(channel: string, now: number): ChannelStats;
}

// Room kept in every part for a duplicate-busting suffix and a command-neutralising prefix.
const SUFFIX_RESERVE = 8;
export const PART_MAX_LENGTH = TWITCH_MAX_MESSAGE_LENGTH - SUFFIX_RESERVE;
/**
 * U+034F COMBINING GRAPHEME JOINER. Twitch drops a line identical to the previous one within
 * 30 s. Chat clients defeat that with an invisible suffix; U+E0000 (the old choice) is now
 * stripped by Twitch, while U+034F survives because emoji sequences rely on it
 * (Chatterino switched in 2025, PR #6417). It is a combining mark, not whitespace, so Twitch's
 * trimming keeps it. The space before it stops it joining the last visible letter.
 */
export const INVISIBLE_MARK = '\u034f';
const MAX_VARIANTS = SUFFIX_RESERVE - 2;
// tmi.js sends a line starting with '/' or '.' as a chat command; mission text is user input.
const COMMAND_START = /^[/.\\]/;
const SLOW_MODE_MARGIN_MS = 250;

interface Entry {
  seq: number;
  channel: string;
  message: OutgoingMessage;
  parts: string[];
  next: number;
  enqueuedAt: number;
  expiresAt: number | null;
}

interface ChannelState {
  queue: Entry[]; // sorted by (rank, seq)
  budget: RateBudget;
  moderator: boolean;
  slowModeMs: number;
  lastSentAt: number;
  recent: { text: string; at: number }[];
  sent: number;
  replaced: number;
  dropped: Record<DropReason, number>;
}

/** Creates the pure outbox core. All state lives in the returned object. */
export function createOutboxCore(policy: OutboxPolicy = {}): OutboxCore {
  const userLimit = policy.userLimit ?? SAFE_USER_LIMIT;
  const moderatorLimit = policy.moderatorLimit ?? SAFE_MODERATOR_LIMIT;
  const windowMs = policy.windowMs ?? TWITCH_WINDOW_MS;
  const maxQueued = policy.maxQueuedPerChannel ?? 50;
  const errorTtlMs = policy.errorTtlMs ?? 5_000;
  const confirmTtlMs = policy.confirmTtlMs ?? 60_000;
  const minGapMs = policy.minGapMs ?? 1_100;
  const duplicateWindowMs = policy.duplicateWindowMs ?? TWITCH_WINDOW_MS;

  // Twitch's buckets are per account, not per channel: every line draws on the moderator-sized
  // bucket, and a line where we are not a moderator also on the user-sized one (pajbot's
  // tmi-rate-limits notes). Per-channel budgets on top cover the reading of Twitch's docs where
  // the limits are per channel; whichever is right, neither is exceeded.
  const account = {
    any: createRateBudget({ windowMs, limit: moderatorLimit }),
    user: createRateBudget({ windowMs, limit: userLimit }),
  };
  const channels = new Map<string, ChannelState>();
  let seq = 0;

  const freshState = (): ChannelState => ({
    queue: [],
    budget: createRateBudget({ windowMs, limit: userLimit }),
    moderator: false,
    slowModeMs: 0,
    lastSentAt: Number.NEGATIVE_INFINITY,
    recent: [],
    sent: 0,
    replaced: 0,
    dropped: { stale: 0, overflow: 0, duplicate: 0, closed: 0, 'send-failed': 0 },
  });

  const channelState = (channel: string): ChannelState => {
    let state = channels.get(channel);
    if (!state) {
      state = freshState();
      channels.set(channel, state);
    }
    return state;
  };

  const describe = (entry: Entry): DroppedMessage => ({
    channel: entry.channel,
    text: entry.message.text,
    priority: entry.message.priority,
    ...(entry.message.key === undefined ? {} : { key: entry.message.key }),
    enqueuedAt: entry.enqueuedAt,
  });

  const remove = (state: ChannelState, entry: Entry, reason: DropReason, into: Drop[]): void => {
    const index = state.queue.indexOf(entry);
    if (index >= 0) state.queue.splice(index, 1);
    state.dropped[reason] += 1;
    into.push({ message: describe(entry), reason });
  };

  const insert = (state: ChannelState, entry: Entry): void => {
    const rank = RANK[entry.message.priority];
    const at = state.queue.findIndex((e) => RANK[e.message.priority] > rank || (RANK[e.message.priority] === rank && e.seq > entry.seq));
    if (at < 0) state.queue.push(entry);
    else state.queue.splice(at, 0, entry);
  };

  const ttlFor = (message: OutgoingMessage): number | null => {
    if (message.priority === 'verdict') return null;
    if (message.ttlMs !== undefined) return message.ttlMs;
    if (message.priority === 'error') return errorTtlMs;
    if (message.priority === 'confirm') return confirmTtlMs;
    return null;
  };

  const readyAt = (state: ChannelState, now: number): number => {
    const gap = state.moderator ? 0 : Math.max(minGapMs, state.slowModeMs > 0 ? state.slowModeMs + SLOW_MODE_MARGIN_MS : 0);
    return Math.max(
      state.budget.nextFreeAt(now),
      state.lastSentAt + gap,
      account.any.nextFreeAt(now),
      state.moderator ? now : account.user.nextFreeAt(now),
    );
  };

  /** The line to send for this part, or null when it duplicates a recent line and may be dropped. */
  const deduplicate = (state: ChannelState, entry: Entry, part: string, now: number): string | null => {
    state.recent = state.recent.filter((r) => r.at + duplicateWindowMs > now);
    const seen = new Set(state.recent.map((r) => r.text));
    if (!seen.has(part)) return part;
    // A repeated usage line or confirmation within 30 s tells chat nothing new.
    if (entry.message.priority === 'error' || entry.message.priority === 'confirm') return null;
    for (let marks = 1; marks <= MAX_VARIANTS; marks++) {
      const variant = `${part} ${INVISIBLE_MARK.repeat(marks)}`;
      if (!seen.has(variant)) return variant;
    }
    // Twitch only compares with the last delivered line; differ from that one.
    const last = state.recent[state.recent.length - 1]?.text;
    const one = `${part} ${INVISIBLE_MARK}`;
    return last === one ? `${part} ${INVISIBLE_MARK}${INVISIBLE_MARK}` : one;
  };

  const expire = (now: number, drops: Drop[]): void => {
    for (const state of channels.values()) {
      for (const entry of [...state.queue]) {
        if (entry.expiresAt !== null && entry.expiresAt <= now) remove(state, entry, 'stale', drops);
      }
    }
  };

  return {
    enqueue(channel, message, now) {
      const drops: Drop[] = [];
      const parts = splitMessage(message.text, PART_MAX_LENGTH).map((p) => (COMMAND_START.test(p) ? INVISIBLE_MARK + p : p));
      if (parts.length === 0) return drops;
      const state = channelState(channel);
      const ttl = ttlFor(message);
      let entrySeq = ++seq;
      if (message.key !== undefined) {
        // Keep the older one's place in line so a key updated every second cannot starve.
        const previous = state.queue.find((e) => e.message.key === message.key && e.next === 0);
        if (previous) {
          state.queue.splice(state.queue.indexOf(previous), 1);
          state.replaced += 1;
          entrySeq = previous.seq;
        }
      }
      const entry: Entry = { seq: entrySeq, channel, message, parts, next: 0, enqueuedAt: now, expiresAt: ttl === null ? null : now + ttl };
      insert(state, entry);
      while (state.queue.length > maxQueued) {
        let victim: Entry | undefined;
        for (const e of state.queue) {
          if (e.message.priority === 'verdict' || e.next > 0) continue;
          // Lowest priority first; among equals the oldest, whose moment has most passed.
          if (!victim || RANK[e.message.priority] > RANK[victim.message.priority] || (RANK[e.message.priority] === RANK[victim.message.priority] && e.seq < victim.seq)) victim = e;
        }
        if (!victim) break; // only verdicts (or lines already half-sent): they wait, never drop
        remove(state, victim, 'overflow', drops);
      }
      return drops;
    },

    setModerator(channel, isModerator) {
      const state = channelState(channel);
      state.moderator = isModerator;
      state.budget.setLimit(isModerator ? moderatorLimit : userLimit);
    },

    setSlowMode(channel, seconds) {
      channelState(channel).slowModeMs = Math.max(0, seconds) * 1000;
    },

    take(now) {
      const sends: Send[] = [];
      const drops: Drop[] = [];
      expire(now, drops);
      for (;;) {
        let best: { state: ChannelState; entry: Entry } | null = null;
        let wakeAt: number | null = null;
        for (const state of channels.values()) {
          const head = state.queue[0];
          if (!head) continue;
          const ready = readyAt(state, now);
          if (ready > now) {
            wakeAt = wakeAt === null ? ready : Math.min(wakeAt, ready);
            continue;
          }
          const rank = RANK[head.message.priority];
          if (!best || rank < RANK[best.entry.message.priority] || (rank === RANK[best.entry.message.priority] && head.seq < best.entry.seq)) {
            best = { state, entry: head };
          }
        }
        if (!best) return { sends, drops, wakeAt };
        const { state, entry } = best;
        const line = deduplicate(state, entry, entry.parts[entry.next] as string, now);
        if (line === null) {
          remove(state, entry, 'duplicate', drops);
          continue;
        }
        state.budget.tryTake(now);
        account.any.tryTake(now);
        if (!state.moderator) account.user.tryTake(now);
        state.lastSentAt = now;
        state.recent.push({ text: line, at: now });
        state.sent += 1;
        entry.next += 1;
        const last = entry.next >= entry.parts.length;
        const onSent = last ? entry.message.onSent : undefined;
        sends.push({ channel: entry.channel, text: line, message: describe(entry), ...(onSent ? { onSent } : {}) });
        if (last) state.queue.shift();
      }
    },

    drain(reason) {
      const drops: Drop[] = [];
      for (const state of channels.values()) {
        for (const entry of [...state.queue]) remove(state, entry, reason, drops);
      }
      return drops;
    },

    noteFailure(channel) {
      channelState(channel).dropped['send-failed'] += 1;
    },

    size() {
      let total = 0;
      for (const state of channels.values()) total += state.queue.length;
      return total;
    },

    stats(channel, now) {
      // Reading stats of a channel never written to must not start tracking it.
      const state = channels.get(channel) ?? freshState();
      const queuedByPriority: Record<Priority, number> = { verdict: 0, announce: 0, confirm: 0, error: 0 };
      for (const entry of state.queue) queuedByPriority[entry.message.priority] += 1;
      return {
        queued: state.queue.length,
        queuedByPriority,
        sent: state.sent,
        replaced: state.replaced,
        dropped: { ...state.dropped },
        moderator: state.moderator,
        limit: state.budget.limit,
        available: state.budget.available(now),
      };
    },
  };
}
