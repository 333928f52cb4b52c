/** A timestamp for people: date and time in the page's language ("Dec 7, 2026, 3:05 PM" / "2026. 12. 7. 오후 3:05"). */
import type { Locale } from './i18n/index.js';

const formats = new Map<Locale, Intl.DateTimeFormat>();

export function dateTime(locale: Locale, iso: string): string {
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
    formats.set(locale, format);
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : format.format(date);
}
