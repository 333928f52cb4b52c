/**
 * The bot's view of chat. Commands and the announcer only see this interface, so tmi.js can be
 * swapped for @twurple/chat or EventSub without touching them. It lives among the ports because
 * the Twitch edge (chat activity, set-up status) reads the same message and status shapes, and
 * server code never imports the bot.
 */
import type { ChatRole } from '../domain/actor.js';

/** One chat message, with identity and role taken only from Twitch's IRC tags. */
export interface IncomingMessage {
  /** Twitch's message id (`id` tag): the idempotency key of whatever the message writes. */
  id: string;
  /** Channel login, lower case, without `#`. */
  channel: string;
  text: string;
  user: { userId: string; login: string; displayName: string };
  role: ChatRole;
  /** When the bot received it (ms since the epoch). */
  at: number;
  /** When Twitch sent it (`tmi-sent-ts`, Twitch's clock), when the line says. */
  sentAt?: number;
  /** The channel's Twitch user id (`room-id`), when the line says. */
  roomId?: string;
}

/** The bot's own standing in a channel, from the latest USERSTATE. */
export interface BotChannelState {
  /** Moderator or broadcaster: the 100-per-30 s limit applies. */
  mod: boolean;
  broadcaster: boolean;
}

/** What a ROOMSTATE says of the chat modes that hold back the bot's lines (absent: unchanged). */
export interface RoomModes {
  /** Slow mode in seconds, 0 when off. */
  slowSeconds?: number;
  /** A followers-, subscribers- or emote-only mode was turned off. */
  restrictionLifted?: boolean;
}

/**
 * Where the chat connection stands, for readiness and the set-up checklist: `login_failed`
 * means Twitch refused the token (retried with backoff after a refresh), `token_invalid` that
 * the token was found revoked or expired and chat was closed until a new login.
 */
export interface ChatStatus {
  state: 'connecting' | 'connected' | 'login_failed' | 'token_invalid' | 'closed' | 'not_configured';
  /** Why, when not connected; never a secret. */
  error: string | null;
  /** Since when (ms since the epoch). */
  since: number;
}

/** A chat connection. Channel names are logins, lower case, without `#`. */
export interface ChatClient {
  /** Opens the connection; resolves once logged in (or rejects, while reconnection continues). */
  connect(): Promise<void>;
  /** Joins now if connected, and again after every reconnect until {@link ChatClient.part}. */
  join(channel: string): Promise<void>;
  part(channel: string): Promise<void>;
  /** Sends one line (already split and rate-limited by the outbox). */
  say(channel: string, text: string): Promise<void>;
  onMessage(handler: (message: IncomingMessage) => void): void;
  onUserState(handler: (channel: string, state: BotChannelState) => void): void;
  /** A NOTICE in a channel: Twitch's `msg-id` and text (why a line of the bot was not shown). */
  onNotice(handler: (channel: string, msgId: string, text: string) => void): void;
  onRoomModes(handler: (channel: string, modes: RoomModes) => void): void;
  /** The channel can take lines (joined on an open connection), or no longer can. */
  onChannelReady(handler: (channel: string, ready: boolean) => void): void;
  /** Connection state; clients without one count as connected. */
  status?(): ChatStatus;
  close(): Promise<void>;
}
