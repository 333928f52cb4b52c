/** Small formatters of the history pages: durations, times, and the people who acted. */
import type { ActorRef } from '../api/types.js';
import type { Strings } from '../i18n/en.js';

/** Seconds as the duration grammar writes them: 90 → "1m30s", 5400 → "1h30m", 86400 → "1d". */
export function durationText(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.length === 0 ? '0s' : parts.join('');
}

/** A date and time in the page's locale. */
export function dateTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** The same fields in a mission's `resolvedBy` and in an audit trail entry's `actor`. */
export type Person = Pick<ActorRef, 'kind' | 'login' | 'displayName' | 'tokenId'>;

/** How a person reads in a sentence: their display name, the admin, a token, or the timer. */
export function personName(person: Person | null | undefined, t: Strings): string {
  if (!person) return t.history.people.unknown;
  switch (person.kind) {
    case 'user':
      return person.displayName ?? person.login ?? t.history.people.unknown;
    case 'admin':
      return t.history.people.admin;
    case 'token':
      return person.tokenId === null ? t.history.people.unknown : t.history.people.token(person.tokenId);
    default:
      return t.history.people.system;
  }
}
