/**
 * Who is asking for a write, after authentication. Services authorise on this, never on raw tokens.
 * `chatRole` comes from Twitch IRC tags (relayed by the bot's service token) or from the
 * dashboard token's role; identities are Twitch user ids, never logins.
 */
export type ChatRole = 'viewer' | 'moderator' | 'broadcaster';

export type Actor =
  /** The operator holding ADMIN_TOKEN: may do anything, in any channel. */
  | { kind: 'admin' }
  /** A per-channel dashboard token. Owners may also change settings and rotate keys. */
  | { kind: 'dashboard'; channelId: number; role: 'moderator' | 'owner'; tokenId: number }
  /** A chat user, relayed by the bot's service token from a message in `channel`. */
  | { kind: 'chat'; channel: string; user: ChatUser; role: ChatRole };

export interface ChatUser {
  userId: string;
  login: string;
  displayName: string;
}

/** A label for the journal's `actor` column. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'admin':
      return 'admin';
    case 'dashboard':
      return `dashboard:${actor.role}:${actor.tokenId}`;
    case 'chat':
      return `user:${actor.user.userId}`;
  }
}

/** Moderator powers: approve, judge, grant. */
export function isModerator(actor: Actor): boolean {
  return actor.kind !== 'chat' || actor.role !== 'viewer';
}
