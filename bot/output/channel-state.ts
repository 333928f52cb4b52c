/** One channel's outbox state: its queue, budgets, standing with Twitch and lines awaiting an answer. */
import { createRateBudget, type RateBudget } from './budget.js';
import { createStageTracker, type StageTracker } from './mission-stage.js';
import type { DropReason, OutgoingMessage } from './outbox-types.js';

export interface Entry {
  seq: number;
  channel: string;
  message: OutgoingMessage;
  parts: string[];
  next: number;
  enqueuedAt: number;
  expiresAt: number | null;
  retries: number;
}

/** A line handed to the driver, until Twitch has answered it (or the answer window passed). */
export interface SentLine {
  ticket: number;
  entry: Entry;
  part: number;
  at: number;
  /** Charged to the account-wide user bucket, so a line that never left can be given back. */
  chargedUser: boolean;
}

export interface ChannelState {
  queue: Entry[]; // sorted by (rank, seq), except that lines of one mission keep their order
  budget: RateBudget;
  /** The user-sized bucket for this channel: every line is charged, room is needed while moderator status is unconfirmed. */
  userBudget: RateBudget;
  moderator: boolean;
  /** Lines sent since the last USERSTATE: moderator status is confirmed only at zero. */
  sendsSinceUserstate: number;
  slowModeMs: number;
  lastSentAt: number;
  ready: boolean;
  /** Nothing goes out before this (after a refused or failed line). */
  holdUntil: number;
  muted: string | null;
  unanswered: SentLine[];
  stages: StageTracker;
  recent: { text: string; at: number }[];
  sent: number;
  replaced: number;
  dropped: Record<DropReason, number>;
}

export function createChannelState(windowMs: number, userLimit: number): ChannelState {
  return {
    queue: [],
    budget: createRateBudget({ windowMs, limit: userLimit }),
    userBudget: createRateBudget({ windowMs, limit: userLimit }),
    moderator: false,
    sendsSinceUserstate: 0,
    slowModeMs: 0,
    lastSentAt: Number.NEGATIVE_INFINITY,
    ready: true,
    holdUntil: Number.NEGATIVE_INFINITY,
    muted: null,
    unanswered: [],
    stages: createStageTracker(),
    recent: [],
    sent: 0,
    replaced: 0,
    dropped: { stale: 0, superseded: 0, overflow: 0, duplicate: 0, closed: 0, 'send-failed': 0 },
  };
}
