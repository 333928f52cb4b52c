/**
 * Turning IRC tags into an {@link IncomingMessage}. Pure. Roles come from the tags Twitch sets
 * (`badges`, `mod`), never from the message text, and identities from `user-id`, never logins.
 */
import type { ChatRole } from '../server/domain/actor.js';
import type { BotChannelState, IncomingMessage } from './chat-client.js';

/** Tags as tmi.js hands them over: parsed badges, or the raw `a/1,b/1` string. */
export interface ChatTags {
  readonly [tag: string]: unknown;
}

/** `badges` as an object, whether tmi.js already parsed it or not. */
export function badgesOf(tags: ChatTags): Record<string, string> {
  const raw = tags.badges;
  if (raw !== null && typeof raw === 'object') {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  if (typeof raw !== 'string' || raw === '') return {};
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const [name, version = ''] = part.split('/');
    if (name) out[name] = version;
  }
  return out;
}

const isTrue = (value: unknown): boolean => value === true || value === '1';
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The chat role the tags grant. Lead moderators are moderators. */
export function roleOf(tags: ChatTags): ChatRole {
  const badges = badgesOf(tags);
  if (badges.broadcaster !== undefined) return 'broadcaster';
  if (isTrue(tags.mod) || badges.moderator !== undefined || badges.lead_moderator !== undefined) return 'moderator';
  return 'viewer';
}

/** The bot's standing from a USERSTATE's tags. `user-type` is not trusted alone: it lags unmods. */
export function channelStateOf(tags: ChatTags): BotChannelState {
  const badges = badgesOf(tags);
  const broadcaster = badges.broadcaster !== undefined;
  const mod = broadcaster || isTrue(tags.mod) || badges.moderator !== undefined || badges.lead_moderator !== undefined;
  return { mod, broadcaster };
}

/** Channel login from `#name`. */
export const channelLogin = (channel: string): string => channel.replace(/^#/, '').toLowerCase();

/**
 * A chat line as an {@link IncomingMessage}, or null when it must be ignored: the bot's own
 * lines, and lines without a `user-id` or `id` tag (nothing to key identity or idempotency on).
 */
export function toIncomingMessage(
  channel: string,
  tags: ChatTags,
  message: string,
  botLogin: string | undefined,
  at: number,
): IncomingMessage | null {
  const userId = text(tags['user-id']);
  const id = text(tags.id);
  const login = text(tags.username)?.toLowerCase() ?? text(tags.login)?.toLowerCase();
  if (userId === undefined || id === undefined || login === undefined) return null;
  if (botLogin !== undefined && login === botLogin.toLowerCase()) return null;
  const sentAt = Number(text(tags['tmi-sent-ts']));
  return {
    id,
    channel: channelLogin(channel),
    text: message,
    user: { userId, login, displayName: text(tags['display-name']) ?? login },
    role: roleOf(tags),
    at,
    ...(Number.isSafeInteger(sentAt) ? { sentAt } : {}),
  };
}
