/**
 * Per-channel settings. Durations are whole seconds in storage and in the API.
 * Stored as a JSON object holding only what differs from the defaults, so new defaults reach
 * existing channels.
 */
import unhomoglyph from 'unhomoglyph';
import { isPlainText } from './grammar/text.js';

export interface ChannelSettings {
  locale: 'en' | 'ko';
  currencyName: string;
  startingBalance: number;
  minStake: number;
  /** Largest single pledge; null means no limit. */
  maxPledge: number | null;
  maxOpenMissions: number;
  maxOpenMissionsPerViewer: number;
  requireApproval: boolean;
  pendingTimeout: number;
  defaultDuration: number;
  minDuration: number;
  maxDuration: number;
  verdictGrace: number;
  createCooldown: number;
  blockedWords: string[];
  resolverMustNotHavePledged: boolean;
  /** `!missions` ends with the link to the channel's public board (`<PUBLIC_URL>/p/<channel>`). */
  publicBoardLink: boolean;
  accrual: AccrualSettings;
}

export interface AccrualSettings {
  enabled: boolean;
  /** Points per interval for every viewer present. */
  amount: number;
  /** Extra points per interval for viewers who chatted. */
  chatBonus: number;
  intervalSeconds: number;
  /**
   * Logins that never earn watch-time points: chat bots that sit in every channel. The
   * broadcaster and this app's bot are always left out as well.
   */
  excludedLogins: string[];
}

/** Bots that idle in many channels and would otherwise farm points. */
export const KNOWN_CHAT_BOTS = ['nightbot', 'streamelements', 'streamlabs', 'moobot', 'fossabot', 'wizebot', 'sery_bot', 'soundalerts', 'botrixoficial', 'kofistreambot'];

export const DEFAULT_SETTINGS: ChannelSettings = Object.freeze({
  locale: 'en',
  currencyName: 'pts',
  startingBalance: 1000,
  minStake: 10,
  maxPledge: null,
  maxOpenMissions: 5,
  maxOpenMissionsPerViewer: 1,
  requireApproval: true,
  pendingTimeout: 600,
  defaultDuration: 1800,
  minDuration: 60,
  maxDuration: 86_400,
  verdictGrace: 900,
  createCooldown: 60,
  blockedWords: [],
  resolverMustNotHavePledged: true,
  publicBoardLink: false,
  accrual: { enabled: true, amount: 10, chatBonus: 5, intervalSeconds: 300, excludedLogins: KNOWN_CHAT_BOTS },
}) as ChannelSettings;

/** Merges stored overrides over the defaults; unknown keys in storage are ignored. */
export function resolveSettings(stored: unknown): ChannelSettings {
  const overrides = (stored && typeof stored === 'object' ? stored : {}) as Partial<ChannelSettings>;
  const merged: ChannelSettings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(DEFAULT_SETTINGS) as (keyof ChannelSettings)[]) {
    if (overrides[key] !== undefined) (merged as unknown as Record<string, unknown>)[key] = overrides[key];
  }
  merged.accrual = { ...DEFAULT_SETTINGS.accrual, ...(overrides.accrual ?? {}) };
  return merged;
}

/** Cross-field rules the JSON schema cannot express. Returns problems, empty when valid. */
export function settingsProblems(s: ChannelSettings): string[] {
  const problems: string[] = [];
  if (s.minDuration > s.maxDuration) problems.push('minDuration must not exceed maxDuration');
  if (s.defaultDuration < s.minDuration || s.defaultDuration > s.maxDuration) {
    problems.push('defaultDuration must lie between minDuration and maxDuration');
  }
  if (s.maxPledge !== null && s.maxPledge < s.minStake) problems.push('maxPledge must not be below minStake');
  if (s.maxOpenMissionsPerViewer > s.maxOpenMissions) {
    problems.push('maxOpenMissionsPerViewer must not exceed maxOpenMissions');
  }
  // The API's schema holds the same text rule; this covers every other caller (CLI, services).
  if (!isPlainText(s.currencyName) || s.currencyName === '') problems.push('currencyName must be plain visible text');
  if (s.blockedWords.some((word) => word === '' || !isPlainText(word))) problems.push('blockedWords must be plain visible text');
  return problems;
}

const SEPARATORS = /[\s\u200B-\u200F\u2060\uFEFF._-]+/g;

/**
 * The form blocked words are compared in: NFKC (fullwidth and styled letters), lower case, then
 * the Unicode confusables skeleton (`unhomoglyph`, built from Unicode's confusables.txt), so a
 * Cyrillic "sсаm" meets the Latin "scam"; spacing and separator tricks are dropped.
 */
export function foldForBlocking(s: string): string {
  return unhomoglyph(s.normalize('NFKC').toLowerCase()).toLowerCase().replace(SEPARATORS, '');
}

// A channel's word list is compared on every proposal; fold it once per settings object.
const foldedLists = new WeakMap<readonly string[], string[]>();

/** True when `text` contains a blocked word (case-insensitive, homoglyphs folded, ignoring spacing tricks). */
export function containsBlockedWord(text: string, blockedWords: readonly string[]): boolean {
  let needles = foldedLists.get(blockedWords);
  if (needles === undefined) {
    needles = blockedWords.map(foldForBlocking).filter((needle) => needle !== '');
    foldedLists.set(blockedWords, needles);
  }
  if (needles.length === 0) return false;
  const haystack = foldForBlocking(text);
  return needles.some((needle) => haystack.includes(needle));
}
