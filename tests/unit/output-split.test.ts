import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sanitizeChatText, splitMessage } from '../../bot/output/index.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

describe('splitMessage', () => {
  it('returns short text as one part and blank text as none', () => {
    expect(splitMessage('#4 is live! Back it: !pledge 4 <amount>')).toEqual(['#4 is live! Back it: !pledge 4 <amount>']);
    expect(splitMessage('  \r\n \t ')).toEqual([]);
  });

  it('turns CR, LF and NUL into spaces so user text cannot inject IRC lines', () => {
    const parts = splitMessage('#1 "win\r\nPRIVMSG #other :pwned\0" proposed');
    expect(parts).toEqual(['#1 "win PRIVMSG #other :pwned " proposed']);
    expect(parts.join('')).not.toMatch(/[\r\n\0]/);
  });

  it('splits long text at word boundaries into parts of at most 500', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`);
    const parts = splitMessage(words.join(' '));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(500);
    expect(parts.join(' ').split(' ')).toEqual(words);
    // Greedy: the next part's first word would not have fitted.
    for (let i = 0; i + 1 < parts.length; i++) {
      const nextWord = (parts[i + 1] as string).split(' ')[0] as string;
      expect((parts[i] as string).length + 1 + nextWord.length).toBeGreaterThan(500);
    }
  });

  it('hard-splits an over-long word without breaking surrogate pairs or graphemes', () => {
    const emoji = '😀'.repeat(300); // 600 code units
    const parts = splitMessage(emoji);
    expect(parts.length).toBe(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(500);
      expect(part).not.toMatch(LONE_SURROGATE);
    }
    expect(parts.join('')).toBe(emoji);

    const family = '👨‍👩‍👧'; // one grapheme, 8 code units
    const familyParts = splitMessage(family.repeat(5), 20);
    for (const part of familyParts) {
      expect(part.length).toBeLessThanOrEqual(20);
      for (const { segment } of graphemes.segment(part)) expect(segment).toBe(family);
    }
    expect(familyParts.join('')).toBe(family.repeat(5));
  });

  it('falls back to code points only for a grapheme longer than a part', () => {
    const zalgo = 'a' + '\u0301'.repeat(30);
    const parts = splitMessage(zalgo, 10);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(10);
    expect(parts.join('')).toBe(zalgo);
  });

  it('keeps Korean words whole', () => {
    const text = Array.from({ length: 120 }, () => '노데스 클리어 미션').join(' ');
    const parts = splitMessage(text);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(500);
    expect(parts.join(' ')).toBe(text);
  });

  it('rejects a maximum that cannot hold a code point', () => {
    expect(() => splitMessage('abc', 1)).toThrow(RangeError);
  });

  it('property: parts fit, are clean, lose nothing and keep short words whole', () => {
    const text = fc.array(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom(' ', '\r\n', '\n', '\t', '  ', '\0', '😀', '👨‍👩‍👧')),
      { maxLength: 40 },
    ).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 60 }), (input, max) => {
        const parts = splitMessage(input, max);
        const clean = sanitizeChatText(input);
        for (const part of parts) {
          expect(part.length).toBeGreaterThan(0);
          expect(part.length).toBeLessThanOrEqual(max);
          expect(part).not.toMatch(/[\r\n\0]/);
          expect(part).toBe(part.trim());
          expect(part).not.toMatch(LONE_SURROGATE);
        }
        expect(parts.join('').replace(/ /g, '')).toBe(clean.replace(/ /g, ''));
        if (clean.split(' ').every((w) => w.length <= max)) expect(parts.join(' ')).toBe(clean);
      }),
      { numRuns: 300 },
    );
  });
});
