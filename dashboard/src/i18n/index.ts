/**
 * Locale: the browser's preference (English or Korean) unless the user picked one, which is
 * remembered in localStorage. Numbers use the locale's grouping.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type Strings } from './en.js';
import { ko } from './ko.js';

export type Locale = 'en' | 'ko';
export const LOCALES: Record<Locale, Strings> = { en, ko };
const STORAGE_KEY = 'missionlink.locale';

export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ko') return saved;
  } catch {
    // storage blocked: follow the browser
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ko') return 'ko';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function saveLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered; still applied
  }
}

export interface I18n {
  locale: Locale;
  t: Strings;
  /** 4350 → "4,350" with the locale's grouping. */
  n: (value: number) => string;
  /** An amount with the channel's currency name: "4,350 pts". */
  pts: (value: number, currency: string) => string;
  setLocale: (locale: Locale) => void;
}

export function makeI18n(locale: Locale, setLocale: (l: Locale) => void): I18n {
  const format = new Intl.NumberFormat(locale === 'ko' ? 'ko-KR' : 'en-US');
  const n = (value: number) => format.format(value);
  return { locale, t: LOCALES[locale], n, pts: (value, currency) => `${n(value)} ${currency}`, setLocale };
}

export const I18nContext = createContext<I18n>(makeI18n('en', () => {}));
export const useI18n = () => useContext(I18nContext);
