/** The optional `from`/`to` filter of an export, parsed and checked without I/O. */
import { errors } from './errors.js';

/** `from` inclusive, `to` exclusive, on the row's creation time. */
export interface ExportRange {
  from: Date | null;
  to: Date | null;
}

/** A calendar date (midnight UTC) or a full ISO 8601 timestamp with a zone. */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** One bound of a time filter: null when absent, a VALIDATION error naming `name` when malformed. */
export function parseTimeBound(name: string, value: string | undefined): Date | null {
  if (value === undefined) return null;
  const date = ISO.test(value) ? new Date(value) : null;
  // JavaScript rolls 2026-02-30 over to March; the round trip of the calendar day refuses it.
  const day = value.slice(0, 10);
  const realDay = ISO.test(value) && !Number.isNaN(new Date(day).getTime()) && new Date(day).toISOString().slice(0, 10) === day;
  if (!date || Number.isNaN(date.getTime()) || !realDay) {
    throw errors.validation(`${name} must be an ISO 8601 date like 2026-03-01 or 2026-03-01T09:00:00Z`);
  }
  return date;
}

export function parseExportRange(from: string | undefined, to: string | undefined): ExportRange {
  return parseTimeRange(['from', from], ['to', to]);
}

/** A range of two named bounds (inclusive start, exclusive end); the start must come first. */
export function parseTimeRange(start: [string, string | undefined], end: [string, string | undefined]): ExportRange {
  const range = { from: parseTimeBound(start[0], start[1]), to: parseTimeBound(end[0], end[1]) };
  if (range.from && range.to && range.from >= range.to) throw errors.validation(`${start[0]} must be before ${end[0]}`);
  return range;
}
