/**
 * The settings form's model: which fields there are, how each is shown as text (durations the
 * way chat writes them, `1h30m`) and read back, and which changed. Durations go through the
 * server's own duration grammar (pure, importing nothing but its result type), so the form
 * accepts exactly what chat accepts, Korean units included.
 */
import { parseDuration, toSeconds } from '../../../server/domain/grammar/duration.js';
import type { Settings } from '../api/types.js';

type Accrual = Settings['accrual'];
export type FieldKey = Exclude<keyof Settings, 'accrual'> | `accrual.${keyof Accrual}`;
export type FieldKind = 'locale' | 'text' | 'int' | 'optionalInt' | 'duration' | 'durationOrZero' | 'bool' | 'words' | 'logins';
export type SectionKey = 'general' | 'points' | 'missions' | 'time' | 'verdicts' | 'accrual';

export const SECTIONS: ReadonlyArray<{ key: SectionKey; fields: ReadonlyArray<{ key: FieldKey; kind: FieldKind }> }> = [
  { key: 'general', fields: [{ key: 'locale', kind: 'locale' }, { key: 'currencyName', kind: 'text' }] },
  {
    key: 'points',
    fields: [
      { key: 'startingBalance', kind: 'int' },
      { key: 'minStake', kind: 'int' },
      { key: 'maxPledge', kind: 'optionalInt' },
    ],
  },
  {
    key: 'missions',
    fields: [
      { key: 'requireApproval', kind: 'bool' },
      { key: 'pendingTimeout', kind: 'duration' },
      { key: 'maxOpenMissions', kind: 'int' },
      { key: 'maxOpenMissionsPerViewer', kind: 'int' },
      { key: 'createCooldown', kind: 'durationOrZero' },
      { key: 'blockedWords', kind: 'words' },
      { key: 'publicBoardLink', kind: 'bool' },
    ],
  },
  {
    key: 'time',
    fields: [
      { key: 'defaultDuration', kind: 'duration' },
      { key: 'minDuration', kind: 'duration' },
      { key: 'maxDuration', kind: 'duration' },
    ],
  },
  { key: 'verdicts', fields: [{ key: 'verdictGrace', kind: 'durationOrZero' }, { key: 'resolverMustNotHavePledged', kind: 'bool' }] },
  {
    key: 'accrual',
    fields: [
      { key: 'accrual.enabled', kind: 'bool' },
      { key: 'accrual.amount', kind: 'int' },
      { key: 'accrual.chatBonus', kind: 'int' },
      { key: 'accrual.intervalSeconds', kind: 'duration' },
      { key: 'accrual.excludedLogins', kind: 'logins' },
    ],
  },
];

export const FIELDS = SECTIONS.flatMap((s) => s.fields);
const KIND = new Map(FIELDS.map((f) => [f.key, f.kind]));
export const kindOf = (key: FieldKey): FieldKind => KIND.get(key) ?? 'text';

/** What a field holds while edited: text for inputs, a flag for checkboxes. */
export type Draft = Record<FieldKey, string | boolean>;
type Value = string | number | boolean | null | string[];

/** Seconds as chat writes them: 5400 → `1h30m`, 0 → `0s`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join('');
}

function valueOf(settings: Settings, key: FieldKey): Value {
  if (key.startsWith('accrual.')) return settings.accrual[key.slice('accrual.'.length) as keyof Accrual];
  return settings[key as Exclude<keyof Settings, 'accrual'>];
}

/** The form's text for each setting. */
export function draftOf(settings: Settings): Draft {
  const draft = {} as Draft;
  for (const { key, kind } of FIELDS) {
    const value = valueOf(settings, key);
    if (kind === 'bool') draft[key] = value === true;
    else if (kind === 'duration' || kind === 'durationOrZero') draft[key] = formatDuration(Number(value));
    else if (kind === 'words' || kind === 'logins') draft[key] = (value as string[]).join('\n');
    else draft[key] = value === null ? '' : String(value);
  }
  return draft;
}

/** Why a field's text cannot be read, as a key of the page's strings; the login for a bad login. */
export type ParseProblem = { problem: 'number' | 'duration' } | { problem: 'login'; login: string };

const lines = (text: string) => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');

/** The API value of a field's text, or why it is not one. Ranges are the server's to judge. */
export function parseField(kind: FieldKind, raw: string | boolean): { ok: true; value: Value } | ({ ok: false } & ParseProblem) {
  if (kind === 'bool') return { ok: true, value: raw === true };
  const text = String(raw).trim();
  switch (kind) {
    case 'int':
    case 'optionalInt': {
      if (kind === 'optionalInt' && text === '') return { ok: true, value: null };
      const plain = text.replace(/[,\s_]/g, '');
      return /^-?\d{1,16}$/.test(plain) ? { ok: true, value: Number(plain) } : { ok: false, problem: 'number' };
    }
    case 'duration':
    case 'durationOrZero': {
      if (kind === 'durationOrZero' && /^0+\s*(s|m|h|d|초|분|시간|일)?$/i.test(text)) return { ok: true, value: 0 };
      const parsed = parseDuration(text);
      return parsed.ok ? { ok: true, value: toSeconds(parsed.value) } : { ok: false, problem: 'duration' };
    }
    case 'words':
      return { ok: true, value: lines(String(raw)) };
    case 'logins': {
      const logins = String(raw).split(/[\s,]+/).map((l) => l.trim().toLowerCase().replace(/^@/, '')).filter((l) => l !== '');
      const bad = logins.find((l) => !/^[a-z0-9_]{2,25}$/.test(l));
      return bad === undefined ? { ok: true, value: logins } : { ok: false, problem: 'login', login: bad };
    }
    default:
      return { ok: true, value: text };
  }
}

const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);

export interface PatchResult {
  /** Only the settings whose value differs from the saved one, in the PATCH body's shape. */
  patch: Record<string, unknown>;
  changed: FieldKey[];
  problems: Partial<Record<FieldKey, ParseProblem>>;
}

/** Compares the draft with the saved settings by value (`90m` and `1h30m` are the same). */
export function patchOf(saved: Settings, draft: Draft): PatchResult {
  const patch: Record<string, unknown> = {};
  const accrual: Record<string, unknown> = {};
  const changed: FieldKey[] = [];
  const problems: Partial<Record<FieldKey, ParseProblem>> = {};
  for (const { key, kind } of FIELDS) {
    const parsed = parseField(kind, draft[key]);
    if (!parsed.ok) {
      problems[key] = parsed.problem === 'login' ? { problem: 'login', login: parsed.login } : { problem: parsed.problem };
      changed.push(key);
      continue;
    }
    if (same(parsed.value, valueOf(saved, key))) continue;
    changed.push(key);
    if (key.startsWith('accrual.')) accrual[key.slice('accrual.'.length)] = parsed.value;
    else patch[key] = parsed.value;
  }
  if (Object.keys(accrual).length > 0) patch.accrual = accrual;
  return { patch, changed, problems };
}

/** The form field a server refusal is about: its `field`, or failing that the setting its message names first. */
export function fieldOfError(field: string | null, message: string): FieldKey | null {
  const known = (candidate: string | undefined) => (candidate !== undefined && KIND.has(candidate as FieldKey) ? (candidate as FieldKey) : null);
  if (field !== null) return known(field) ?? known(field.split('.').slice(0, 2).join('.'));
  const named = /^(?:body\.)?([A-Za-z]+(?:\.[A-Za-z]+)?)/.exec(message)?.[1];
  return known(named) ?? known(named?.split('.')[0]);
}
