/**
 * Who an audit-trail entry names and where the action came from, derived from the `Actor` a
 * service already authorised on. Pure: the services record what this returns.
 */
import type { ActivitySource } from './activity.js';
import type { Actor, ChatUser } from './actor.js';
import type { ActorRefDto } from './types.js';

/** A person (or the system) as an entry names them; the same shape the REST schema publishes. */
export type ActivityPerson = ActorRefDto;

/** Who acted and through what. */
export interface ActivityOrigin {
  source: ActivitySource;
  actor: ActivityPerson;
}

const nobody = { userId: null, login: null, displayName: null, tokenId: null };
export const SYSTEM_PERSON: ActivityPerson = { kind: 'system', ...nobody };
export const ADMIN_PERSON: ActivityPerson = { kind: 'admin', ...nobody };

/** A timer or job of the worker role. */
export const WORKER_ORIGIN: ActivityOrigin = { source: 'worker', actor: SYSTEM_PERSON };
/** A command run on the server by whoever holds its shell: the instance's operator. */
export const COMMAND_LINE_ORIGIN: ActivityOrigin = { source: 'cli', actor: ADMIN_PERSON };
/**
 * The server itself, with no person behind the write: channels named in TWITCH_CHANNELS created
 * at start-up, and tools that call a service without saying who they act for.
 */
export const SERVER_ORIGIN: ActivityOrigin = { source: 'cli', actor: SYSTEM_PERSON };

export const personOf = (user: ChatUser, tokenId: number | null = null): ActivityPerson => ({
  kind: 'user',
  userId: user.userId,
  login: user.login,
  displayName: user.displayName,
  tokenId,
});

/**
 * The origin of a write by `actor`: a chat user is `chat` whether this service's bot read the
 * line or a bot token relayed it, and `dashboard` when it is their own signed-in session; the
 * admin is `dashboard` from a session and `api` with ADMIN_TOKEN; a channel's API token is `api`.
 */
export function originOf(actor: Actor): ActivityOrigin {
  switch (actor.kind) {
    case 'admin':
      return { source: actor.via === 'dashboard' ? 'dashboard' : 'api', actor: ADMIN_PERSON };
    case 'dashboard':
      return { source: 'api', actor: { kind: 'token', ...nobody, tokenId: actor.tokenId } };
    case 'chat':
      return { source: actor.via === 'dashboard' ? 'dashboard' : 'chat', actor: personOf(actor.user, actor.tokenId ?? null) };
  }
}

/** An `Actor` as services take it, or an origin already worked out (worker, command line). */
export type ActivityBy = Actor | ActivityOrigin;

export const toOrigin = (by: ActivityBy): ActivityOrigin => ('source' in by ? by : originOf(by));

export interface SettingChange {
  key: string;
  before: unknown;
  after: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The settings that differ between `before` and `after`, one entry per key (nested groups such as
 * `accrual` by dotted key), in key order. Empty when nothing changed: such a write records nothing.
 */
export function settingsChanges(before: Record<string, unknown>, after: Record<string, unknown>, prefix = ''): SettingChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: SettingChange[] = [];
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (isRecord(a) && isRecord(b)) {
      changes.push(...settingsChanges(a, b, `${prefix}${key}.`));
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      changes.push({ key: `${prefix}${key}`, before: a ?? null, after: b ?? null });
    }
  }
  return changes;
}
