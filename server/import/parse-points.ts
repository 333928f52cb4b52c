/**
 * Reads a points export of another bot (CSV, TSV or semicolon-separated) into viewers and points,
 * and says why every other row is skipped. Pure: no I/O, the caller passes the file's text.
 */
import { isTwitchLogin } from '../domain/twitch-login.js';

export type ImportField = 'login' | 'userId' | 'points';

export interface ImportRow {
  line: number;
  login: string | null;
  userId: string | null;
  points: number;
}

export interface SkippedRow {
  line: number;
  reason: string;
}

export interface ParsedPoints {
  rows: ImportRow[];
  skipped: SkippedRow[];
  /** Header names that map to nothing (ignored). */
  ignoredColumns: string[];
  /** Which column each field was read from (zero-based). */
  columns: Partial<Record<ImportField, number>>;
}

export class ImportFormatError extends Error {}

// Header names of the bots' exports and of hand-made files, compared without case, spaces, `_` or `-`.
const ALIASES: Record<ImportField, string[]> = {
  login: ['login', 'username', 'user', 'name', 'viewer', 'twitchusername', 'twitchname', 'displayname', 'usernamelower'],
  userId: ['userid', 'id', 'twitchid', 'twitchuserid', 'uid'],
  points: ['points', 'currency', 'balance', 'amount', 'total', 'loyaltypoints', 'value', 'current'],
};
const FIELD_NAMES: Record<string, ImportField> = { login: 'login', user_id: 'userId', userid: 'userId', id: 'userId', points: 'points' };
const normalise = (name: string) => name.trim().toLowerCase().replace(/[\s_-]+/g, '');
const USER_ID = /^[0-9]{1,20}$/;

/** Splits delimited text into rows of cells (quotes as in RFC 4180: `""` is a quote inside quotes). */
export function splitDelimited(text: string): string[][] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', '\t', ';'].map((d) => [d, firstLine.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && cell === '') {
      quoted = true;
    } else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Whole, non-negative points; `1,234` and `1 234` group digits. Returns a reason when it is not one. */
export function parsePoints(text: string): number | string {
  const t = text.trim().replace(/^\+/, '');
  if (t === '') return 'no points';
  if (/^-/.test(t)) return `negative points (${t})`;
  const digits = /^\d{1,3}([, ]\d{3})+$/.test(t) ? t.replace(/[, ]/g, '') : /^\d+(\.0+)?$/.test(t) ? t.replace(/\.0+$/, '') : null;
  if (digits === null) return /^\d+\.\d+$/.test(t) ? `points not a whole number (${t})` : `points not a number (${t})`;
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) return `points too large (${t})`;
  return n === 0 ? 'zero points' : n;
}

/** Maps `--columns login,points` (one name per column; anything else is ignored) to positions. */
function columnsFromOption(option: string): Partial<Record<ImportField, number>> {
  const columns: Partial<Record<ImportField, number>> = {};
  option.split(',').forEach((name, index) => {
    const field = FIELD_NAMES[name.trim().toLowerCase()];
    if (field && columns[field] === undefined) columns[field] = index;
  });
  if (columns.points === undefined || (columns.login === undefined && columns.userId === undefined)) {
    throw new ImportFormatError(`--columns must name a points column and a login or user_id column (got "${option}"); e.g. --columns login,points`);
  }
  return columns;
}

function columnsFromHeader(header: string[]): { columns: Partial<Record<ImportField, number>>; ignored: string[] } | null {
  const columns: Partial<Record<ImportField, number>> = {};
  const ignored: string[] = [];
  header.forEach((name, index) => {
    const field = (Object.keys(ALIASES) as ImportField[]).find((f) => ALIASES[f].includes(normalise(name)));
    if (field && columns[field] === undefined) columns[field] = index;
    else if (name.trim() !== '') ignored.push(name.trim());
  });
  if (columns.points === undefined || (columns.login === undefined && columns.userId === undefined)) return null;
  return { columns, ignored };
}

export function parsePointsFile(text: string, columnsOption?: string): ParsedPoints {
  const table = splitDelimited(text);
  let columns: Partial<Record<ImportField, number>>;
  let ignoredColumns: string[] = [];
  let start = 0;
  const skipped: SkippedRow[] = [];
  if (columnsOption !== undefined) {
    columns = columnsFromOption(columnsOption);
    // A first row whose points cell is not a number is the file's header.
    if (table[0] && typeof parsePoints(table[0][columns.points!] ?? '') === 'string') {
      skipped.push({ line: 1, reason: 'header row' });
      start = 1;
    }
  } else {
    const found = table[0] ? columnsFromHeader(table[0]) : null;
    if (!found) {
      throw new ImportFormatError(
        `The first row (${JSON.stringify((table[0] ?? []).join(','))}) names no login and points columns: ` +
          'say which column is which, e.g. --columns login,points (names: login, user_id, points; anything else is ignored)',
      );
    }
    ({ columns, ignored: ignoredColumns } = found);
    start = 1;
  }

  const rows: ImportRow[] = [];
  const seenLogin = new Map<string, number>();
  const seenId = new Map<string, number>();
  for (let i = start; i < table.length; i++) {
    const cells = table[i]!;
    const line = i + 1;
    if (cells.every((c) => c.trim() === '')) continue;
    const cell = (f: ImportField) => (columns[f] === undefined ? '' : (cells[columns[f]!] ?? '').trim());
    const login = cell('login').replace(/^@/, '').toLowerCase() || null;
    const userId = cell('userId') || null;
    if (userId !== null && !USER_ID.test(userId)) {
      skipped.push({ line, reason: `not a Twitch user id (${userId})` });
      continue;
    }
    if (login !== null && !isTwitchLogin(login)) {
      skipped.push({ line, reason: `not a Twitch login (${login})` });
      continue;
    }
    if (login === null && userId === null) {
      skipped.push({ line, reason: 'no viewer' });
      continue;
    }
    const points = parsePoints(cell('points'));
    if (typeof points === 'string') {
      skipped.push({ line, reason: points });
      continue;
    }
    const first = (userId !== null ? seenId.get(userId) : undefined) ?? (login !== null ? seenLogin.get(login) : undefined);
    if (first !== undefined) {
      skipped.push({ line, reason: `duplicate viewer ${login ?? userId} (first on line ${first})` });
      continue;
    }
    if (userId !== null) seenId.set(userId, line);
    if (login !== null) seenLogin.set(login, line);
    rows.push({ line, login, userId, points });
  }
  return { rows, skipped, ignoredColumns, columns };
}
