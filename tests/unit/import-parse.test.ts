import { describe, expect, it } from 'vitest';
import { ImportFormatError, parsePoints, parsePointsFile, splitDelimited } from '../../server/import/parse-points.js';

describe('points file parsing', () => {
  it('finds login and points columns by their header names and ignores the rest', () => {
    const parsed = parsePointsFile('Username,Points,Watchtime\r\nAlice,1200,50\r\n@Bob,"1,500",3\r\n');
    expect(parsed.rows).toEqual([
      { line: 2, login: 'alice', userId: null, points: 1200 },
      { line: 3, login: 'bob', userId: null, points: 1500 },
    ]);
    expect(parsed.ignoredColumns).toEqual(['Watchtime']);
    expect(parsed.skipped).toEqual([]);
  });

  it('reads a user id column, tabs and semicolons', () => {
    expect(parsePointsFile('user_id\tlogin\tcurrency\n1234\tcarol\t7\n').rows).toEqual([{ line: 2, login: 'carol', userId: '1234', points: 7 }]);
    expect(parsePointsFile('name;balance\ndave;9\n').rows).toEqual([{ line: 2, login: 'dave', userId: null, points: 9 }]);
  });

  it('says why each bad row is skipped: negative, not a number, fraction, zero, bad login, duplicate', () => {
    const parsed = parsePointsFile(['login,points', 'a1,-5', 'b2,lots', 'c3,2.5', 'd4,0', 'not a login,3', 'e5,10', 'E5,11', ''].join('\n'));
    expect(parsed.rows.map((r) => r.login)).toEqual(['e5']);
    expect(parsed.skipped).toEqual([
      { line: 2, reason: 'negative points (-5)' },
      { line: 3, reason: 'points not a number (lots)' },
      { line: 4, reason: 'points not a whole number (2.5)' },
      { line: 5, reason: 'zero points' },
      { line: 6, reason: 'not a Twitch login (not a login)' },
      { line: 8, reason: 'duplicate viewer e5 (first on line 7)' },
    ]);
  });

  it('with --columns, maps by position and treats a non-numeric first row as the header', () => {
    const parsed = parsePointsFile('who,rank,pts\nfrank,1,40\n', 'login,-,points');
    expect(parsed.rows).toEqual([{ line: 2, login: 'frank', userId: null, points: 40 }]);
    expect(parsed.skipped).toEqual([{ line: 1, reason: 'header row' }]);
  });

  it('refuses a file whose header names no usable columns, and a --columns without points', () => {
    expect(() => parsePointsFile('a,b\nx,1\n')).toThrow(ImportFormatError);
    expect(() => parsePointsFile('x,1\n', 'login,rank')).toThrow(/must name a points column/);
  });

  it('splits quoted cells with delimiters, quotes and newlines inside', () => {
    expect(splitDelimited('a,"b,""c""\nd"\n1,2')).toEqual([['a', 'b,"c"\nd'], ['1', '2']]);
  });

  it('numbers beyond exact integers are refused', () => {
    expect(parsePoints('9007199254740993')).toBe('points too large (9007199254740993)');
    expect(parsePoints('12.00')).toBe(12);
  });
});
