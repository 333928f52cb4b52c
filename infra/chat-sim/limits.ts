/**
 * Twitch's chat limits for a sender, loosely emulated so tests can see a bot break them.
 * Pure: the caller passes the sender's earlier messages and the send time.
 */

/** The limits Twitch applies to a chat sender. */
export interface ChatLimits {
  windowMs: number;
  /** Messages per window for a regular sender. */
  limit: number;
  /** Messages per window when the sender is a moderator or the broadcaster in the channel. */
  privilegedLimit: number;
  /** Identical text within this span is a duplicate. */
  duplicateWindowMs: number;
  /** Longer messages (in characters) are cut by Twitch. */
  maxLength: number;
  /** How long Twitch ignores a sender after a rate violation. */
  lockoutMs: number;
}

/** Twitch's published numbers. */
export const TWITCH_LIMITS: ChatLimits = {
  windowMs: 30_000,
  limit: 20,
  privilegedLimit: 100,
  duplicateWindowMs: 30_000,
  maxLength: 500,
  lockoutMs: 30 * 60_000,
};

/** Which rule a message broke. */
export type Violation = 'rate' | 'duplicate' | 'length';

/** What the assessment needs of a message sent earlier by the same sender in the same channel. */
export interface PriorMessage {
  text: string;
  at: number;
}

/**
 * The rules `text` breaks if sent at `at`, given the same sender's earlier messages in the
 * channel (any order). `privileged` is the sender's mod/broadcaster status at send time.
 */
export function assessMessage(
  prior: readonly PriorMessage[],
  message: { text: string; at: number; privileged: boolean },
  limits: ChatLimits = TWITCH_LIMITS,
): Violation[] {
  const violations: Violation[] = [];
  const windowStart = message.at - limits.windowMs;
  const inWindow = prior.filter((m) => m.at > windowStart && m.at <= message.at).length;
  if (inWindow + 1 > (message.privileged ? limits.privilegedLimit : limits.limit)) violations.push('rate');
  const dupStart = message.at - limits.duplicateWindowMs;
  const text = message.text.trim();
  if (prior.some((m) => m.at > dupStart && m.at <= message.at && m.text.trim() === text)) violations.push('duplicate');
  if ([...message.text].length > limits.maxLength) violations.push('length');
  return violations;
}
