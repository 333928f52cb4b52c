/** The CSV encoder of the exports (server/domain/csv.ts) and the export date filter (server/domain/export-range.ts). */
import { describe, expect, it } from 'vitest';
import { CSV_BOM, encodeCell, encodeRow } from '../../server/domain/csv.js';
import { parseExportRange } from '../../server/domain/export-range.js';

describe('encodeCell', () => {
  it('leaves plain text, numbers and booleans as they are, and null as an empty cell', () => {
    expect(encodeCell('payout')).toBe('payout');
    expect(encodeCell(-250)).toBe('-250');
    expect(encodeCell(true)).toBe('true');
    expect(encodeCell(null)).toBe('');
    expect(encodeCell(undefined)).toBe('');
  });

  it('quotes a field with a comma, quote, CR or LF and doubles its quotes', () => {
    expect(encodeCell('a,b')).toBe('"a,b"');
    expect(encodeCell('say "hi"')).toBe('"say ""hi"""');
    expect(encodeCell('line\nbreak')).toBe('"line\nbreak"');
    expect(encodeCell('a\r\nb')).toBe('"a\r\nb"');
  });

  it('prefixes text a spreadsheet would read as a formula with an apostrophe', () => {
    for (const lead of ['=', '+', '-', '@', '\t']) expect(encodeCell(`${lead}SUM(A1)`)).toBe(`'${lead}SUM(A1)`);
    expect(encodeCell('\rx')).toBe(`"'\rx"`);
    expect(encodeCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(encodeCell('1+1')).toBe('1+1');
  });

  it('keeps Korean text intact', () => {
    expect(encodeCell('미션 성공, 축하해요')).toBe('"미션 성공, 축하해요"');
    expect(encodeCell('한국어')).toBe('한국어');
  });
});

describe('encodeRow', () => {
  it('joins cells with commas and ends the record in CRLF', () => {
    expect(encodeRow([1, 'a,b', null, '=x'])).toBe(`1,"a,b",,'=x\r\n`);
  });

  it('the byte order mark is EF BB BF in UTF-8', () => {
    expect([...Buffer.from(CSV_BOM, 'utf8')]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe('parseExportRange', () => {
  it('reads dates and timestamps, both optional', () => {
    expect(parseExportRange(undefined, undefined)).toEqual({ from: null, to: null });
    expect(parseExportRange('2026-03-01', '2026-03-02T09:30:00Z')).toEqual({
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-02T09:30:00Z'),
    });
  });

  it('refuses what is not an ISO date, an impossible date, and an empty range', () => {
    for (const bad of ['yesterday', '2026-13-01', '2026-02-30', '2026-02-30T10:00:00Z', '2026-03-01T24:30:00Z', '1700000000', '2026-03-01 10:00']) {
      expect(() => parseExportRange(bad, undefined), bad).toThrow(/from must be an ISO 8601 date/);
    }
    expect(() => parseExportRange('2026-03-02', '2026-03-01')).toThrow(/from must be before to/);
  });
});
