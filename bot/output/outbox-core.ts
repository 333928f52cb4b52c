/**
 * The outbox's decision core: which queued line goes out next, which is held, which is dropped.
 * Pure — no timers, no I/O, the caller passes `now` — so every rule is unit-testable with plain
 * numbers; `outbox.ts` is the thin driver that sends and sets timers.
 */
import { createRateBudget, SAFE_MODERATOR_LIMIT, SAFE_USER_LIMIT, TWITCH_WINDOW_MS } from './budget.js';
import { createChannelState, type ChannelState, type Entry, type SentLine } from './channel-state.js';
import { INVISIBLE_MARK, lineAvoidingDuplicates, PART_MAX_LENGTH } from './duplicates.js';
import type { MissionScope } from './mission-stage.js';
import { noticeEffect } from './notices.js';
import {
  RANK,
  type Drop,
  type DropReason,
  type DroppedMessage,
  type OutboxCore,
  type OutboxPolicy,
  type OutgoingMessage,
  type Priority,
  type Send,
} from './outbox-types.js';
import { splitMessage } from './split.js';


// tmi.js sends a line starting with '/' or '.' as a chat command; mission text is user input.
const COMMAND_START = /^[/.\\]/;
const SLOW_MODE_MARGIN_MS = 250;
/** A refused line's answer (USERSTATE or NOTICE) comes within a round trip; older ones are done. */
const ANSWER_WINDOW_MS = 10_000;
/** Pause after the client failed to send (it is usually reconnecting). */
const FAILED_SEND_BACKOFF_MS = 1_000;

/** Creates the pure outbox core. All state lives in the returned object. */
export function createOutboxCore(policy: OutboxPolicy = {}): OutboxCore {
  const userLimit = policy.userLimit ?? SAFE_USER_LIMIT;
  const moderatorLimit = policy.moderatorLimit ?? SAFE_MODERATOR_LIMIT;
  const windowMs = policy.windowMs ?? TWITCH_WINDOW_MS;
  const maxQueued = policy.maxQueuedPerChannel ?? 50;
  const errorTtlMs = policy.errorTtlMs ?? 5_000;
  const confirmTtlMs = policy.confirmTtlMs ?? 60_000;
  const minGapMs = policy.minGapMs ?? 1_300;
  const maxRetries = policy.maxRetries ?? 3;
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
  const tickets = new Map<number, { state: ChannelState; line: SentLine }>();
  let seq = 0;
  let nextTicket = 0;

  const freshState = (): ChannelState => createChannelState(windowMs, userLimit);

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
    let at = state.queue.findIndex((e) => RANK[e.message.priority] > rank || (RANK[e.message.priority] === rank && e.seq > entry.seq));
    if (at < 0) at = state.queue.length;
    // Never ahead of an earlier line about the same mission: chat reads a mission's news in the
    // order of its states (a verdict drops what it makes untrue instead of overtaking it).
    const number = entry.message.mission?.number;
    if (number !== undefined) {
      for (let i = state.queue.length - 1; i >= at; i--) {
        const other = state.queue[i] as Entry;
        if (other.message.mission?.number === number && other.seq < entry.seq) {
          at = i + 1;
          break;
        }
      }
    }
    state.queue.splice(at, 0, entry);
  };

  /** Drops waiting lines about `scope`'s mission that its new stage makes untrue. */
  const supersede = (state: ChannelState, scope: MissionScope, drops: Drop[]): void => {
    for (const entry of [...state.queue]) {
      const other = entry.message.mission;
      if (other?.number !== scope.number || entry.next > 0) continue;
      if (!state.stages.stillTrue(other)) remove(state, entry, 'superseded', drops);
    }
  };

  /** Whether USERSTATE has confirmed moderator status since the last line went out. */
  const confirmedModerator = (state: ChannelState): boolean => state.moderator && state.sendsSinceUserstate === 0;

  /**
   * Puts a line back at the head of its channel's queue; false when it has no retries left or
   * its mission has moved on meanwhile (a refused "is live" is not resent after the verdict).
   */
  const requeue = (state: ChannelState, line: SentLine): boolean => {
    const { entry } = line;
    if (entry.message.priority !== 'verdict' && entry.retries >= maxRetries) return false;
    if (entry.message.mission && !state.stages.stillTrue(entry.message.mission)) return false;
    const lastPart = line.part === entry.parts.length - 1;
    const message: OutgoingMessage = { ...entry.message };
    delete message.key;
    if (!lastPart) delete message.onSent;
    const retry: Entry = { ...entry, message, parts: [entry.parts[line.part] as string], next: 0, retries: entry.retries + 1 };
    state.queue.unshift(retry);
    return true;
  };

  const describeLine = (line: SentLine): DroppedMessage => describe(line.entry);

  const ttlFor = (message: OutgoingMessage): number | null => {
    if (message.priority === 'verdict') return null;
    if (message.ttlMs !== undefined) return message.ttlMs;
    if (message.priority === 'error') return errorTtlMs;
    if (message.priority === 'confirm') return confirmTtlMs;
    return null;
  };

  /** When the channel's next line may go out; +Infinity while it waits for an event. */
  const readyAt = (state: ChannelState, now: number): number => {
    if (!state.ready) return Number.POSITIVE_INFINITY;
    const gap = state.moderator ? 0 : Math.max(minGapMs, state.slowModeMs > 0 ? state.slowModeMs + SLOW_MODE_MARGIN_MS : 0);
    const asUser = !confirmedModerator(state);
    return Math.max(
      state.holdUntil,
      state.budget.nextFreeAt(now),
      state.lastSentAt + gap,
      account.any.nextFreeAt(now),
      asUser ? account.user.nextFreeAt(now) : now,
      asUser ? state.userBudget.nextFreeAt(now) : now,
    );
  };

  const deduplicate = (state: ChannelState, entry: Entry, part: string, now: number): string | null => {
    state.recent = state.recent.filter((r) => r.at + duplicateWindowMs > now);
    return lineAvoidingDuplicates(state.recent, part, entry.message.priority);
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
      if (message.mission) {
        if (!state.stages.admit(message.mission)) {
          state.dropped.superseded += 1;
          drops.push({ message: { channel, text: message.text, priority: message.priority, ...(message.key === undefined ? {} : { key: message.key }), enqueuedAt: now }, reason: 'superseded' });
          return drops;
        }
        if (message.mission.enters !== undefined) supersede(state, message.mission, drops);
      }
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
      const entry: Entry = { seq: entrySeq, channel, message, parts, next: 0, enqueuedAt: now, expiresAt: ttl === null ? null : now + ttl, retries: 0 };
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
      state.sendsSinceUserstate = 0;
      state.budget.setLimit(isModerator ? moderatorLimit : userLimit);
      // A USERSTATE answers the oldest line still waiting for its answer: Twitch showed it.
      state.unanswered.shift();
      // Chat modes and timeouts do not apply to moderators; a USERSTATE after a send means the
      // line was shown, so whatever muted the channel is over.
      if (state.muted !== null && (isModerator || state.lastSentAt > Number.NEGATIVE_INFINITY)) {
        state.muted = null;
        state.holdUntil = Number.NEGATIVE_INFINITY;
      }
    },

    setSlowMode(channel, seconds) {
      channelState(channel).slowModeMs = Math.max(0, seconds) * 1000;
    },

    noteRoomModeLifted(channel) {
      const state = channelState(channel);
      if (state.muted === null || !/only|phone|email/.test(state.muted)) return;
      state.muted = null;
      state.holdUntil = Number.NEGATIVE_INFINITY;
    },

    setReady(channel, ready) {
      const state = channelState(channel);
      state.ready = ready;
      // Lines handed over just before the connection dropped get no answer on the new one.
      if (!ready) state.unanswered = [];
    },

    notice(channel, msgId, text, now) {
      const drops: Drop[] = [];
      const state = channels.get(channel);
      if (!state) return drops;
      const effect = noticeEffect(msgId, text);
      if (effect.kind === 'none') return drops;
      state.unanswered = state.unanswered.filter((l) => l.at + ANSWER_WINDOW_MS > now);
      const line = state.unanswered.shift();
      if (effect.kind === 'muted') {
        state.muted = effect.reason;
        state.holdUntil = now + effect.retryAfterMs;
      } else if (effect.kind === 'retry') {
        state.holdUntil = Math.max(state.holdUntil, now + effect.backoffMs);
      }
      if (!line) return drops;
      if (effect.kind === 'refused' || !requeue(state, line)) {
        state.dropped['send-failed'] += 1;
        drops.push({ message: describeLine(line), reason: 'send-failed' });
      }
      return drops;
    },

    failed(ticket, now) {
      const drops: Drop[] = [];
      const held = tickets.get(ticket);
      if (!held) return drops;
      tickets.delete(ticket);
      const { state, line } = held;
      // It never left the process: give back what it was charged, so the retry is charged once.
      state.budget.refund(line.at);
      account.any.refund(line.at);
      state.userBudget.refund(line.at);
      if (line.chargedUser) account.user.refund(line.at);
      state.unanswered = state.unanswered.filter((l) => l !== line);
      state.recent = state.recent.filter((r) => r.at !== line.at);
      state.holdUntil = Math.max(state.holdUntil, now + FAILED_SEND_BACKOFF_MS);
      if (!requeue(state, line)) {
        state.dropped['send-failed'] += 1;
        drops.push({ message: describeLine(line), reason: 'send-failed' });
      }
      return drops;
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
            if (ready !== Number.POSITIVE_INFINITY) wakeAt = wakeAt === null ? ready : Math.min(wakeAt, ready);
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
        const asUser = !confirmedModerator(state);
        state.budget.tryTake(now);
        account.any.tryTake(now);
        if (asUser) account.user.tryTake(now);
        // What Twitch would count if the bot turned out to be un-modded; only required (in
        // readyAt) while moderator status is unconfirmed.
        state.userBudget.tryTake(now);
        state.lastSentAt = now;
        state.sendsSinceUserstate += 1;
        state.recent.push({ text: line, at: now });
        state.sent += 1;
        const sentLine: SentLine = { ticket: ++nextTicket, entry, part: entry.next, at: now, chargedUser: asUser };
        state.unanswered = state.unanswered.filter((l) => l.at + ANSWER_WINDOW_MS > now);
        state.unanswered.push(sentLine);
        tickets.set(sentLine.ticket, { state, line: sentLine });
        entry.next += 1;
        const last = entry.next >= entry.parts.length;
        const onSent = last ? entry.message.onSent : undefined;
        sends.push({ channel: entry.channel, text: line, message: describe(entry), ticket: sentLine.ticket, ...(onSent ? { onSent } : {}) });
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

    delivered(ticket) {
      tickets.delete(ticket);
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
        ready: state.ready,
        muted: state.muted,
      };
    },

    mutedChannels() {
      const muted: { channel: string; reason: string }[] = [];
      for (const [channel, state] of channels) if (state.muted !== null) muted.push({ channel, reason: state.muted });
      return muted;
    },
  };
}
