import { describe, expect, it } from 'vitest';
import { containsBlockedWord } from '../../server/domain/settings.js';

describe('blocked words', () => {
  it.each([
    ['Cyrillic с and а in a Latin word', 'Free s\u0441\u0430m here', ['scam']],
    ['a Cyrillic word list entry against Latin text', 'this is a scam', ['\u0455\u0441\u0430m']],
    ['Greek omicron for o', 'g\u03BF to evil dot example', ['go to evil']],
    ['fullwidth letters', 'ｓｃａｍ', ['scam']],
    ['mixed case and zero-width splits', 'S\u200BC-A.M', ['scam']],
    ['Korean', '이건 사기 미션', ['사기']],
  ])('catches %s', (_name, text, words) => {
    expect(containsBlockedWord(text, words)).toBe(true);
  });

  it.each([
    ['a different word', 'scan the room', ['scam']],
    ['an empty list', 'anything at all', []],
    ['an entry that folds to nothing', 'anything at all', ['\u200B', '...']],
  ])('lets through %s', (_name, text, words) => {
    expect(containsBlockedWord(text, words)).toBe(false);
  });
});
