/**
 * Who is asking for a write, after authentication. Services authorise on this, never on raw tokens.
 * `chatRole` comes from Twitch IRC tags (relayed by the bot's service token) or from the
 * dashboard token's role; identities are Twitch user ids, never logins.
 */
export type ChatRole = 'viewer' | 'moderator' | 'broadcaster';

export type Actor =
  /**
   * The operator: ADMIN_TOKEN, or (`via: 'dashboard'`) a session from a sign-in link. May do
   * anything, in any channel; `via` only says where the request came from, for the audit trail.
   */
  | { kind: 'admin'; via?: 'dashboard' }
  /** A per-channel dashboard token. Owners may also change settings and rotate keys. */
  | { kind: 'dashboard'; channelId: number; role: 'moderator' | 'owner'; tokenId: number }
  /**
   * A chat user in `channel`: seen by this service's own bot (names from Twitch's chat tags), or
   * `relayed` through the REST API by a bot service token (`tokenId`), whose names only that
   * caller vouches for, or by the user's own dashboard session (`via: 'dashboard'`). `tokenId` and
   * `via` change nothing of what the user may do; the audit trail records them.
   */
  | { kind: 'chat'; channel: string; user: ChatUser; role: ChatRole; relayed?: boolean; tokenId?: number; via?: 'dashboard' };

export interface ChatUser {
  userId: string;
  login: string;
  displayName: string;
}

/** Idempotency keys of the bot's writes: Twitch's message id under this prefix. */
export const CHAT_KEY_PREFIX = 'chat:';

/** A label for the journal's `actor` column. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'admin':
      return 'admin';
    case 'dashboard':
      return `dashboard:${actor.role}:${actor.tokenId}`;
    case 'chat':
      return userActorLabel(actor.user.userId);
  }
}

/** The label of a chat user's writes, wherever they came from (chat, a relaying bot, a dashboard session). */
export const userActorLabel = (userId: string): string => `user:${userId}`;

/** What an `actorLabel` names, read back: a chat user by id, the admin, an API token, or the system. */
export type ActorLabelParts =
  | { kind: 'user'; userId: string }
  | { kind: 'admin' }
  | { kind: 'token'; role: string; tokenId: number }
  | { kind: 'system' };

/**
 * Reads a journal or mission `actor` label back. Labels written by the timers and by settlement
 * (`system`, `settlement`), and any label this version does not know, read as the system: the
 * label is never shown raw, and an unknown one must not pass for a person.
 */
export function parseActorLabel(label: string): ActorLabelParts {
  if (label === 'admin') return { kind: 'admin' };
  if (label.startsWith('user:') && label.length > 5) return { kind: 'user', userId: label.slice(5) };
  const token = /^dashboard:([a-z]+):(\d{1,10})$/.exec(label);
  if (token) return { kind: 'token', role: token[1]!, tokenId: Number(token[2]) };
  return { kind: 'system' };
}

/**
 * Where the names of a write's subject come from. `twitch`: this service's bot read them from chat
 * tags, so they may rename the user everywhere. `claimed`: a caller named the user (a dashboard or
 * admin body, or a bot token's headers); that must not change an identity other channels show.
 */
export type IdentitySource = 'twitch' | 'claimed';

export function identitySource(actor: Actor): IdentitySource {
  return actor.kind === 'chat' && actor.relayed !== true ? 'twitch' : 'claimed';
}

/** Moderator powers: approve, judge, grant. */
export function isModerator(actor: Actor): boolean {
  return actor.kind !== 'chat' || actor.role !== 'viewer';
}
