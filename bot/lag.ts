/**
 * How far behind chat the bot is. Twitch stamps every line (`tmi-sent-ts`); the bot's clock and
 * Twitch's disagree by an unknown offset, so a line's lag is measured against the smallest lag
 * seen recently (the freshest line: the offset plus the network), not against zero. Pure.
 */

/** The smallest lag is remembered for one to two windows, so a clock adjustment ages out. */
const DEFAULT_WINDOW_MS = 5 * 60_000;

export interface LagMeter {
  /** How much later than the freshest recent line this one arrived (ms, never negative). */
  behind(sentAt: number, receivedAt: number): number;
}

export function createLagMeter(windowMs = DEFAULT_WINDOW_MS): LagMeter {
  let windowStart = Number.NEGATIVE_INFINITY;
  let current = Number.POSITIVE_INFINITY;
  let previous = Number.POSITIVE_INFINITY;
  return {
    behind(sentAt, receivedAt) {
      if (receivedAt - windowStart >= windowMs) {
        previous = receivedAt - windowStart >= 2 * windowMs ? Number.POSITIVE_INFINITY : current;
        current = Number.POSITIVE_INFINITY;
        windowStart = receivedAt;
      }
      const lag = receivedAt - sentAt;
      current = Math.min(current, lag);
      return Math.max(0, lag - Math.min(current, previous));
    },
  };
}
