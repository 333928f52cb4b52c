/**
 * Binds a JS array as one Postgres array parameter (a bare array would expand to a list). Arrays
 * of numbers, strings and nulls, which is every batch column, go as the array literal text that
 * node-postgres would build itself: its builder (`arrayString`, one concatenation and two regular
 * expressions per element) allocated ~27 MB/s in the 10,000 pledges/s storm, 14 % of the app's
 * allocation. Anything else is left to node-postgres.
 */
import { sql } from 'drizzle-orm';

export const arrayParam = (values: readonly unknown[]) => sql.param(arrayLiteral(values) ?? values);

/** Characters an element of an array literal escapes with a backslash inside its quotes. */
const NEEDS_ESCAPE = /[\\"]/;

/** A Postgres array literal of numbers, strings and nulls (`{1,"a\"b",NULL}`); null for other elements. */
export function arrayLiteral(values: readonly unknown[]): string | null {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (typeof v === 'number' && Number.isFinite(v)) parts[i] = String(v);
    else if (typeof v === 'string') parts[i] = `"${NEEDS_ESCAPE.test(v) ? v.replace(/[\\"]/g, '\\$&') : v}"`;
    else return null;
  }
  return `{${parts.join(',')}}`;
}
