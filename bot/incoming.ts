/**
 * Turning IRC tags into an {@link IncomingMessage}. Pure. Roles come from the tags Twitch sets
 * (`badges`, `mod`), never from the message text, and identities from `user-id`, never logins.
 */
import type { ChatRole } from '../server/domain/actor.js';
import type { BotChannelState, IncomingMessage } from '../server/ports/chat-client.js';

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
 * What chat clients append to a repeated line to get past Twitch's duplicate filter: U+034F
 * (combining grapheme joiner, Chatterino) or U+E0000 (a tag character, 7TV), after a space.
 */
const REPEAT_PADDING = /[\s\u034F\u{E0000}]+$/u;

/**
 * The text as the viewer meant it. A reply made with Twitch's Reply button arrives as
 * `@<parent login> <text>` with `reply-parent-*` tags; that one leading mention is dropped so
 * replying to "Back it: !pledge 3 <amount>" with `!pledge 3 100` works.
 */
export function intendedText(tags: ChatTags, message: string): string {
  let out = message.replace(REPEAT_PADDING, '');
  if (text(tags['reply-parent-msg-id']) !== undefined) {
    const parent = text(tags['reply-parent-user-login'])?.toLowerCase();
    const mention = /^\s*@([A-Za-z0-9_]+)[,:]?\s+/.exec(out);
    if (mention && (parent === undefined || mention[1]?.toLowerCase() === parent)) out = out.slice(mention[0].length);
  }
  return out;
}

/**
 * A chat line as an {@link IncomingMessage}, or null when it must be ignored: lines without a
 * `user-id` or `id` tag (nothing to key identity or idempotency on), and lines another channel
 * shares into this one during a Shared Chat session (`source-room-id` not this `room-id`): those
 * viewers are not this channel's, and the partner's bot answers them. The bot's own echoes are
 * dropped by the transport, not here: a streamer may run the bot on their own account and still
 * judge from chat.
 */
export function toIncomingMessage(channel: string, tags: ChatTags, message: string, at: number): IncomingMessage | null {
  const userId = text(tags['user-id']);
  const id = text(tags.id);
  const login = text(tags.username)?.toLowerCase() ?? text(tags.login)?.toLowerCase();
  if (userId === undefined || id === undefined || login === undefined) return null;
  const roomId = text(tags['room-id']);
  const sourceRoomId = text(tags['source-room-id']);
  if (sourceRoomId !== undefined && sourceRoomId !== roomId) return null;
  const sentAt = Number(text(tags['tmi-sent-ts']));
  return {
    id,
    channel: channelLogin(channel),
    text: intendedText(tags, message),
    user: { userId, login, displayName: text(tags['display-name']) ?? login },
    role: roleOf(tags),
    at,
    ...(roomId !== undefined ? { roomId } : {}),
    ...(Number.isSafeInteger(sentAt) ? { sentAt } : {}),
  };
}
