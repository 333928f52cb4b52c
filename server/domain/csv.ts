/**
 * CSV cells and rows for the accountant's exports (RFC 4180, CRLF line ends). Mission text and
 * user names come from chat, so a cell a spreadsheet would read as a formula gets a leading `'`.
 */

/** Written once at the start of a file: without it Excel reads UTF-8 as the local code page and mangles Korean text. */
export const CSV_BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

/** Characters that make a spreadsheet evaluate or reinterpret a cell typed into it. */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One cell. Numbers and booleans are written as they are (a negative amount is data, not a
 * formula); text starting like a formula is prefixed with `'`; quotes are doubled and a cell
 * with a comma, quote, CR or LF is quoted. Null and undefined are an empty cell.
 */
export function encodeCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** One record, ending in CRLF. */
export function encodeRow(values: readonly CsvValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : ',') + encodeCell(values[i]);
  return `${line}\r\n`;
}
