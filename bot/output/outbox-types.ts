/** The outbox's shapes: what callers queue, what the core hands the driver, and its policy. */
import type { MissionScope } from './mission-stage.js';

/** Highest first: verdicts are never dropped; per-user errors are dropped first. */
export type Priority = 'verdict' | 'announce' | 'confirm' | 'error';
export const PRIORITIES: readonly Priority[] = ['verdict', 'announce', 'confirm', 'error'];
/** Sort rank of each priority, lowest first. */
export const RANK: Record<Priority, number> = { verdict: 0, announce: 1, confirm: 2, error: 3 };

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
  /**
   * The mission this line is about. Lines about one mission go out in the order they were
   * queued, whatever their priority, and a line a later state has made untrue is dropped.
   */
  mission?: MissionScope;
}

/**
 * `superseded`: a later state of its mission made it untrue. `send-failed`: it could not be
 * delivered after every retry.
 */
export type DropReason = 'stale' | 'superseded' | 'overflow' | 'duplicate' | 'closed' | 'send-failed';

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
  /** Identifies this line to {@link OutboxCore.failed} when the driver could not send it. */
  ticket: number;
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
   * slow mode on everyone below moderator and drops faster lines; the margin covers the jitter
   * between our clock and Twitch's arrival time. Default 1300 ms.
   */
  minGapMs?: number;
  /** Retries of a line Twitch refused or the client could not send; verdicts retry forever. Default 3. */
  maxRetries?: number;
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
  /** The chat connection is open and the channel joined (lines wait otherwise). */
  ready: boolean;
  /** Why Twitch will not show the bot's lines here (a NOTICE `msg-id`), or null. */
  muted: string | null;
}

export interface OutboxCore {
  /** Queues a message; returns the messages this pushed out (possibly the message itself). */
  enqueue(channel: string, message: OutgoingMessage, now: number): Drop[];
  /**
   * From USERSTATE: moderator or broadcaster raises the limit and lifts the gap. Twitch sends one
   * after every line the bot sends, and nothing when the bot is un-modded, so the status is
   * trusted only while no line went out since: until then lines also draw on the user bucket.
   */
  setModerator(channel: string, isModerator: boolean): void;
  /** From ROOMSTATE `slow` (seconds, 0 = off); moderators are exempt. */
  setSlowMode(channel: string, seconds: number): void;
  /** From ROOMSTATE: a chat mode (followers-, subscribers-, emote-only) was turned off. */
  noteRoomModeLifted(channel: string): void;
  /** Whether lines may go out in `channel` now: connected and joined. */
  setReady(channel: string, ready: boolean): void;
  /**
   * A NOTICE about the bot's oldest line still unanswered in `channel`: resend it later (rate,
   * duplicate, slow mode), hold the channel (banned, timed out, followers-only…), or give it up.
   */
  notice(channel: string, msgId: string, text: string, now: number): Drop[];
  /** The driver could not hand the line to chat: it goes back to the head of its queue. */
  failed(ticket: number, now: number): Drop[];
  /** The driver handed the line to chat. */
  delivered(ticket: number): void;
  /** Everything that may go out at `now`, what expired, and when to look again (null: idle). */
  take(now: number): { sends: Send[]; drops: Drop[]; wakeAt: number | null };
  /** Empties every queue (shutdown). */
  drain(reason: DropReason): Drop[];
  /** Messages waiting, all channels. */
  size(): number;
  stats(channel: string, now: number): ChannelStats;
  /** Channels where Twitch refuses the bot's lines, with the reason. */
  mutedChannels(): { channel: string; reason: string }[];
}

// Room kept in every part for a duplicate-busting suffix and a command-neutralising prefix.
