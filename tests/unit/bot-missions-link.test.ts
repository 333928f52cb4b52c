/** The `!missions` reply with the public board link: the link always fits whole, within one chat line. */
import { describe, expect, it } from 'vitest';
import { formatMissionList } from '../../bot/i18n/index.js';
import { REPLY_MAX } from '../../bot/i18n/format.js';

const LINK = 'https://missions.example.tv/p/somechannel';
const many = Array.from({ length: 30 }, (_, i) => ({ number: i + 1, text: `A rather long mission text number ${i + 1} with words`, pot: 1_000 * (i + 1), timeLeftMs: 60_000 }));

describe('!missions with the public board link', () => {
  it('ends with the link when given, and not otherwise', () => {
    const entries = [{ number: 4, text: 'No deaths', pot: 4350, timeLeftMs: 25 * 60_000 }];
    expect(formatMissionList('en', entries, { link: LINK })).toBe(`Missions: #4 No deaths (4,350 pts, 25m) ${LINK}`);
    expect(formatMissionList('en', entries)).not.toContain('/p/');
    expect(formatMissionList('ko', [], { link: LINK }).endsWith(` ${LINK}`)).toBe(true);
  });

  it('gives up list items, never the link, to stay within one line', () => {
    let trimmed = 0;
    for (const locale of ['en', 'ko'] as const) {
      for (let size = 10; size <= 90; size += 1) {
        const entries = many.map((m) => ({ ...m, text: 'm'.repeat(size) }));
        const withLink = formatMissionList(locale, entries, { link: LINK });
        expect(withLink.length).toBeLessThanOrEqual(REPLY_MAX);
        expect(withLink.endsWith(` ${LINK}`)).toBe(true);
        // Lists that alone would leave no room for the link: the list made room.
        if (formatMissionList(locale, entries).length + 1 + LINK.length > REPLY_MAX) trimmed += 1;
      }
      // A mission text so long that even one item is cut still leaves the link whole.
      const huge = formatMissionList(locale, [{ number: 1, text: 'x'.repeat(2_000), pot: 10 }], { link: LINK });
      expect(huge.length).toBeLessThanOrEqual(REPLY_MAX);
      expect(huge.endsWith(` ${LINK}`)).toBe(true);
    }
    expect(trimmed).toBeGreaterThan(10);
  });

  it('leaves out a link too long to leave room for the list', () => {
    const absurd = `https://example.com/${'a'.repeat(400)}`;
    expect(formatMissionList('en', many, { link: absurd })).not.toContain(absurd);
  });
});
