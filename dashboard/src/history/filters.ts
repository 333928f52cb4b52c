/**
 * The missions history's filters as they live in the page's URL (`?status=&proposer=&judge=&from=&to=`,
 * dates inclusive, UTC) and as the REST list takes them (`since` inclusive, `until` exclusive).
 * Pure: the page and the tests share it.
 */
import type { MissionStatus } from '../api/types.js';

export const STATUSES: readonly MissionStatus[] = ['pending', 'open', 'closed', 'succeeded', 'failed', 'cancelled', 'rejected'];

export interface HistoryFilters {
  status: MissionStatus | '';
  proposer: string;
  judge: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
}

export const NO_FILTERS: HistoryFilters = { status: '', proposer: '', judge: '', from: '', to: '' };

const LOGIN = /^[A-Za-z0-9_]{2,25}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

const isDay = (value: string) => DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

/** Filters from a URL query; values that could not have come from the form are dropped. */
export function parseFilters(search: string): HistoryFilters {
  const q = new URLSearchParams(search);
  const status = q.get('status') ?? '';
  const login = (key: string) => {
    const value = (q.get(key) ?? '').trim().toLowerCase();
    return LOGIN.test(value) ? value : '';
  };
  const day = (key: string) => {
    const value = q.get(key) ?? '';
    return isDay(value) ? value : '';
  };
  return {
    status: (STATUSES as readonly string[]).includes(status) ? (status as MissionStatus) : '',
    proposer: login('proposer'),
    judge: login('judge'),
    from: day('from'),
    to: day('to'),
  };
}

/** The page's query string for these filters ('' without any), in a fixed order. */
export function filtersToSearch(f: HistoryFilters): string {
  const q = new URLSearchParams();
  for (const key of ['status', 'proposer', 'judge', 'from', 'to'] as const) if (f[key] !== '') q.set(key, f[key]);
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/** The day after `day` (YYYY-MM-DD), in UTC. */
export function nextDay(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** The REST list's query for these filters: the inclusive end date becomes an exclusive `until`. */
export function filtersToApiQuery(f: HistoryFilters, cursor: string | null, limit: number): string {
  const q = new URLSearchParams({ limit: String(limit) });
  if (f.status) q.set('status', f.status);
  if (f.proposer) q.set('proposer', f.proposer);
  if (f.judge) q.set('judge', f.judge);
  if (f.from) q.set('since', f.from);
  if (f.to) q.set('until', nextDay(f.to));
  if (cursor) q.set('cursor', cursor);
  return `?${q.toString()}`;
}

export type FilterProblem = 'proposer' | 'judge' | 'range' | null;

/** What is wrong with filters typed into the form, if anything. */
export function filterProblem(f: HistoryFilters): FilterProblem {
  if (f.proposer !== '' && !LOGIN.test(f.proposer)) return 'proposer';
  if (f.judge !== '' && !LOGIN.test(f.judge)) return 'judge';
  if (f.from !== '' && f.to !== '' && f.from > f.to) return 'range';
  return null;
}

/** An export period: a month (YYYY-MM), or inclusive days; the export routes take `to` exclusive. */
export function exportQuery(period: { month: string } | { from: string; to: string }): string {
  const q = new URLSearchParams();
  if ('month' in period) {
    if (!MONTH.test(period.month)) return '';
    const [year, month] = period.month.split('-').map(Number) as [number, number];
    const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
    q.set('from', `${period.month}-01`);
    q.set('to', `${next}-01`);
  } else {
    if (isDay(period.from)) q.set('from', period.from);
    if (isDay(period.to)) q.set('to', nextDay(period.to));
  }
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/** The current month in UTC, YYYY-MM. */
export const thisMonth = (now: Date): string => now.toISOString().slice(0, 7);
