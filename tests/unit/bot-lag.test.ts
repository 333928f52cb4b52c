import { describe, expect, it } from 'vitest';
import { createLagMeter } from '../../bot/lag.js';

describe('the lag meter', () => {
  it("measures against the freshest line, whatever the offset between Twitch's clock and the bot's", () => {
    for (const offset of [0, 5_000, -5_000]) {
      const lag = createLagMeter(60_000);
      // Twitch's clock reads `offset` ms ahead; each line takes 20 ms on the wire.
      const line = (sentAtBotTime: number, receivedAt: number) => lag.behind(sentAtBotTime + offset, receivedAt);
      expect(line(1_000, 1_020)).toBe(0);
      expect(line(1_100, 1_125)).toBe(5);
      expect(line(1_200, 3_720)).toBe(2_500); // waited 2.5 s longer than the fastest line
      expect(line(5_000, 5_010)).toBe(0); // a faster line becomes the reference
      expect(line(5_100, 5_120)).toBe(10);
    }
  });

  it('forgets its reference after one to two windows, so a clock adjustment ages out', () => {
    const lag = createLagMeter(60_000);
    expect(lag.behind(0, 20)).toBe(0);
    // The bot's clock is stepped 10 s forward: every line now looks 10 s late.
    expect(lag.behind(30_000, 40_020)).toBe(10_000);
    expect(lag.behind(70_000, 80_020)).toBe(10_000); // new window; the old reference still counts
    expect(lag.behind(130_000, 140_020)).toBe(0); // two windows on: only post-step lines remain
  });
});
