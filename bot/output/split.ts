/**
 * Splitting outgoing chat text into Twitch-sized lines.
 *
 * Twitch cuts a PRIVMSG at 500 characters, so longer replies are split at word boundaries.
 * Lengths are measured in UTF-16 code units, which is never less than the code-point or
 * grapheme count Twitch may use, so a part that fits here fits there.
 */

/** Twitch's maximum chat message length. */
export const TWITCH_MAX_MESSAGE_LENGTH = 500;

// CR, LF and NUL end an IRC line: letting one through would let mission text (user input)
// smuggle a second raw IRC command. Other C0 controls, DEL and the Unicode line/paragraph
// separators only render as garbage, so they go too.
const CONTROL_CHARS = /[\u0000-\u001f\u007f\u2028\u2029]/g;
const WHITESPACE_RUN = /\s+/;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Makes text safe for one IRC line: control characters (CR, LF, NUL…) become spaces, runs of
 * whitespace collapse to one space and the ends are trimmed — Twitch normalises whitespace the
 * same way, so this also makes our length and duplicate checks see what chat will see.
 */
export function sanitizeChatText(text: string): string {
  return text.replace(CONTROL_CHARS, ' ').split(WHITESPACE_RUN).filter((w) => w !== '').join(' ');
}

/**
 * Splits `text` into parts of at most `max` UTF-16 code units, breaking between words.
 * A word longer than `max` is cut between graphemes (between code points only when a single
 * grapheme is itself longer than `max`, and never inside a surrogate pair). The text is
 * sanitised first (see {@link sanitizeChatText}); empty or blank text yields no parts.
 *
 * @param max at least 2, so that any code point fits in a part.
 */
export function splitMessage(text: string, max: number = TWITCH_MAX_MESSAGE_LENGTH): string[] {
  if (!Number.isInteger(max) || max < 2) throw new RangeError(`max must be an integer >= 2, got ${max}`);
  const clean = sanitizeChatText(text);
  if (clean === '') return [];
  if (clean.length <= max) return [clean];

  const parts: string[] = [];
  let current = '';
  for (const word of clean.split(' ')) {
    if (current !== '' && current.length + 1 + word.length <= max) {
      current += ' ' + word;
      continue;
    }
    if (current !== '') parts.push(current);
    if (word.length <= max) {
      current = word;
      continue;
    }
    const chunks = hardSplit(word, max);
    current = chunks.pop() ?? '';
    parts.push(...chunks);
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** Cuts one over-long word into chunks of at most `max` code units, between graphemes. */
function hardSplit(word: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const append = (piece: string): void => {
    if (current.length + piece.length > max) {
      chunks.push(current);
      current = '';
    }
    current += piece;
  };
  for (const { segment } of graphemes.segment(word)) {
    if (segment.length <= max) {
      append(segment);
      continue;
    }
    // A grapheme longer than a whole part (a long ZWJ emoji sequence, or a base letter with
    // dozens of combining marks) cannot stay whole; code points at least keep pairs intact.
    for (const codePoint of segment) append(codePoint);
  }
  if (current !== '') chunks.push(current);
  return chunks.filter((c) => c !== '');
}
