/**
 * Pure authentication core: who presented which credential, and what `Actor` that makes them
 * in a given channel. No I/O here; the plugin resolves tokens, these functions decide.
 */
import type { Actor, ChatRole, ChatUser } from '../../domain/actor.js';
import { errors } from '../../domain/errors.js';
import { isPlainText } from '../../domain/grammar/text.js';
import type { ChannelGrant } from '../../repositories/sessions-repository.js';
import { isTwitchLogin } from '../../domain/twitch-login.js';

/** The credential behind a request, resolved once per request. */
export type Principal =
  | { kind: 'anonymous' }
  /** A token was presented but is malformed, unknown or revoked. */
  | { kind: 'invalid' }
  | { kind: 'admin' }
  | { kind: 'token'; tokenId: number; role: 'moderator' | 'owner' | 'bot'; channelId: number | null }
  /**
   * A dashboard session cookie: the instance admin (sign-in link), or a Twitch user with the
   * channels they broadcast or moderate right now. A Twitch user acts as they would in chat, so
   * the chat rules (a moderator who pledged cannot judge) hold in the dashboard too.
   */
  | { kind: 'session'; sessionId: number; admin: boolean; user: ChatUser | null; grants: readonly ChannelGrant[] };

/** What a principal may do in one channel, for pages that show or hide controls. */
export type ChannelRole = 'admin' | 'owner' | 'moderator';

/** The channel a route acts on. */
export interface ChannelRef {
  id: number;
  login: string;
  /** The broadcaster's Twitch user id, once known: only that user may act as the broadcaster. */
  broadcasterId?: string | null;
}

/** The chat user the bot's service token acts for, from the `X-Acting-*` headers. */
export interface ActingUser {
  channel: string;
  user: ChatUser;
  role: ChatRole;
}

type Headers = Record<string, string | string[] | undefined>;

/** Extracts the token from `Authorization: Bearer <token>`; undefined when absent, null when malformed. */
export function parseBearer(header: string | undefined): string | null | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})[ ]*$/i.exec(header);
  return match?.[1] ?? null;
}

export const ACTING_HEADERS = {
  userId: 'x-acting-user-id',
  login: 'x-acting-user-login',
  displayName: 'x-acting-user-display-name',
  role: 'x-acting-user-role',
  channel: 'x-acting-channel',
} as const;

const ROLES: readonly ChatRole[] = ['viewer', 'moderator', 'broadcaster'];

function single(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/**
 * Reads the acting chat user. Display names may be non-ASCII (Korean, Japanese), which HTTP
 * headers cannot carry, so the bot sends them percent-encoded (`encodeURIComponent`).
 * Throws FORBIDDEN when a header is missing and VALIDATION when one is malformed.
 */
export function parseActingUser(headers: Headers): ActingUser {
  const missing = Object.values(ACTING_HEADERS).filter((h) => single(headers, h) === undefined);
  if (missing.length > 0) {
    throw errors.forbidden(`The bot token must name the acting chat user (missing ${missing.join(', ')})`);
  }
  const userId = single(headers, ACTING_HEADERS.userId) ?? '';
  const login = (single(headers, ACTING_HEADERS.login) ?? '').toLowerCase();
  const role = (single(headers, ACTING_HEADERS.role) ?? '').toLowerCase();
  const channel = (single(headers, ACTING_HEADERS.channel) ?? '').toLowerCase().replace(/^#/, '');
  let displayName = single(headers, ACTING_HEADERS.displayName) ?? '';
  try {
    displayName = decodeURIComponent(displayName);
  } catch {
    throw errors.validation(`${ACTING_HEADERS.displayName} is not valid percent-encoding`);
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId)) throw errors.validation(`${ACTING_HEADERS.userId} is malformed`);
  if (!isTwitchLogin(login)) throw errors.validation(`${ACTING_HEADERS.login} is malformed`);
  if (!isTwitchLogin(channel)) throw errors.validation(`${ACTING_HEADERS.channel} is malformed`);
  if (!ROLES.includes(role as ChatRole)) {
    throw errors.validation(`${ACTING_HEADERS.role} must be one of ${ROLES.join(', ')}`);
  }
  if (displayName.length === 0 || displayName.length > 64 || !isPlainText(displayName)) {
    throw errors.validation(`${ACTING_HEADERS.displayName} is malformed`);
  }
  return { channel, user: { userId, login, displayName }, role: role as ChatRole };
}

function requireCredential(principal: Principal): Exclude<Principal, { kind: 'anonymous' | 'invalid' }> {
  if (principal.kind === 'anonymous') throw errors.unauthorized('This action needs a bearer token or a dashboard session');
  if (principal.kind === 'invalid') throw errors.unauthorized('The bearer token or session is invalid, expired or revoked');
  return principal;
}

/** The principal's role in `channel`, or null when it has none there. */
export function channelRoleFor(principal: Principal, channel: ChannelRef): ChannelRole | null {
  switch (principal.kind) {
    case 'admin':
      return 'admin';
    case 'token':
      return principal.role !== 'bot' && principal.channelId === channel.id ? principal.role : null;
    case 'session':
      if (principal.admin) return 'admin';
      return principal.grants.find((g) => g.channelId === channel.id)?.role ?? null;
    default:
      return null;
  }
}

/** A Twitch session in a channel it broadcasts or moderates: the chat actor it would be in chat. */
function sessionActor(p: Extract<Principal, { kind: 'session' }>, channel: ChannelRef): Actor {
  if (p.admin) return { kind: 'admin', via: 'dashboard' };
  const role = channelRoleFor(p, channel);
  if (role === null || p.user === null) {
    throw errors.forbidden(`You are not the broadcaster or a moderator of ${channel.login}`);
  }
  // `relayed`: the id and login are Twitch's, but the session keeps no display name of Twitch's,
  // so its names must never rename the user (they only name a user seen for the first time).
  return {
    kind: 'chat',
    channel: channel.login,
    user: p.user,
    role: role === 'owner' ? 'broadcaster' : 'moderator',
    relayed: true,
    via: 'dashboard',
  };
}

/**
 * The actor for a write in `channel`: the admin, a dashboard token of that channel, or the
 * chat user the bot relays from a message in that same channel.
 */
export function actorFor(principal: Principal, headers: Headers, channel: ChannelRef): Actor {
  const p = requireCredential(principal);
  if (p.kind === 'admin') return { kind: 'admin' };
  if (p.kind === 'session') return sessionActor(p, channel);
  if (p.role === 'bot') {
    if (p.channelId !== null && p.channelId !== channel.id) {
      throw errors.forbidden('This bot token belongs to another channel');
    }
    const acting = parseActingUser(headers);
    if (acting.channel !== channel.login) {
      throw errors.forbidden(`The acting chat message came from ${acting.channel}, not ${channel.login}`);
    }
    // Twitch gives the broadcaster badge to one account only; a relayed claim must match it.
    const broadcasterId = channel.broadcasterId ?? null;
    if (acting.role === 'broadcaster' && broadcasterId !== null && acting.user.userId !== broadcasterId) {
      throw errors.forbidden(`User ${acting.user.userId} is not the broadcaster of ${channel.login}`);
    }
    return { kind: 'chat', channel: channel.login, user: acting.user, role: acting.role, relayed: true, tokenId: p.tokenId };
  }
  if (p.channelId !== channel.id) throw errors.forbidden('This token belongs to another channel');
  return { kind: 'dashboard', channelId: channel.id, role: p.role, tokenId: p.tokenId };
}

/** Admin only: 401 without a valid credential, 403 with any other. */
export function adminFor(principal: Principal): Actor {
  const p = requireCredential(principal);
  if (p.kind === 'session' && p.admin) return { kind: 'admin', via: 'dashboard' };
  if (p.kind !== 'admin') throw errors.forbidden('Only the admin may do this');
  return { kind: 'admin' };
}

/** The admin, or an owner token of this channel. */
export function ownerOrAdminFor(principal: Principal, channel: ChannelRef): Actor {
  const p = requireCredential(principal);
  if (p.kind === 'admin') return { kind: 'admin' };
  if (p.kind === 'session') {
    if (p.admin || channelRoleFor(p, channel) === 'owner') return sessionActor(p, channel);
    throw errors.forbidden("Only the channel's owner or the admin may do this");
  }
  if (p.role === 'owner' && p.channelId === channel.id) {
    return { kind: 'dashboard', channelId: channel.id, role: 'owner', tokenId: p.tokenId };
  }
  throw errors.forbidden("Only the channel's owner or the admin may do this");
}

/** Any role in this channel (owner, moderator, admin): 401 without a valid credential, 403 without a role here. */
export function memberOf(principal: Principal, channel: ChannelRef): ChannelRole {
  const role = channelRoleFor(requireCredential(principal), channel);
  if (role === null) throw errors.forbidden(`Only the broadcaster, the moderators of ${channel.login} and the admin may see this`);
  return role;
}

/** Whether the principal may see a channel's secrets (overlay key) on public reads. */
export function canSeeChannelSecrets(principal: Principal, channel: ChannelRef): boolean {
  const role = channelRoleFor(principal, channel);
  return role === 'admin' || role === 'owner';
}

/**
 * The signed-in Twitch user as themself in `channel`, for the public board's own writes (a pledge
 * from the page): the chat actor that user is in chat there. A viewer session (from the public
 * board's sign-in) holds no grants, so it is always a `viewer`; admin sessions and tokens, which
 * name no Twitch user, cannot act here.
 */
export function selfActorFor(principal: Principal, channel: ChannelRef): Extract<Actor, { kind: 'chat' }> {
  const p = requireCredential(principal);
  if (p.kind !== 'session' || p.user === null) throw errors.forbidden('Sign in with Twitch on this page to pledge as yourself');
  const role = p.admin ? null : channelRoleFor(p, channel);
  const chatRole: ChatRole = role === 'owner' ? 'broadcaster' : role === 'moderator' ? 'moderator' : 'viewer';
  return { kind: 'chat', channel: channel.login, user: p.user, role: chatRole, relayed: true };
}
