/**
 * Twitch drops a line identical to one the bot sent in the last 30 s. Which lines may be dropped
 * as saying nothing new, and how the others are made to differ. Pure.
 */
import type { Priority } from './outbox-types.js';
import { TWITCH_MAX_MESSAGE_LENGTH } from './split.js';

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

/**
 * The line to send for `part`, given the lines sent within the duplicate window (oldest first),
 * or null when it repeats one and tells chat nothing new (a usage line or a confirmation).
 */
export function lineAvoidingDuplicates(recent: readonly { text: string }[], part: string, priority: Priority): string | null {
  const seen = new Set(recent.map((r) => r.text));
  if (!seen.has(part)) return part;
  if (priority === 'error' || priority === 'confirm') return null;
  for (let marks = 1; marks <= MAX_VARIANTS; marks++) {
    const variant = `${part} ${INVISIBLE_MARK.repeat(marks)}`;
    if (!seen.has(variant)) return variant;
  }
  // Twitch only compares with the last delivered line; differ from that one.
  const last = recent[recent.length - 1]?.text;
  const one = `${part} ${INVISIBLE_MARK}`;
  return last === one ? `${part} ${INVISIBLE_MARK}${INVISIBLE_MARK}` : one;
}
