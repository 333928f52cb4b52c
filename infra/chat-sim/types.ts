/** The chat simulator's public shapes: its options, the bot lines it records, and its controls. */
import type { ChatLimits, Violation } from './limits.js';
import type { TagOverrides, Viewer, ViewerInit } from './users.js';

/** Options for {@link startChatSimulator}. */
export interface ChatSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Accepted chat tokens (with or without `oauth:`); any `oauth:` token when absent. */
  validTokens?: Iterable<string>;
  /** Act like Twitch: drop messages over the rate limit or duplicated, cut long ones. Off by default. */
  enforceLimits?: boolean;
  limits?: Partial<ChatLimits>;
  /** Clock for timestamps and limit windows. */
  now?: () => number;
  /** Every raw line in and out, for debugging. */
  onLine?: (direction: 'in' | 'out', line: string, connectionId: number) => void;
}

/** A PRIVMSG sent by a connected client (the bot). */
export interface BotMessage {
  channel: string;
  login: string;
  /** The message text; for `/me` actions, the action body. */
  text: string;
  action: boolean;
  at: number;
  id: string;
  /** The sender was a moderator or the broadcaster there when sending. */
  privileged: boolean;
  violations: readonly Violation[];
  /** Twitch would not have shown it (only with `enforceLimits`). */
  dropped: boolean;
}

/** Options for {@link ChatSimulator.say}. */
export interface SayOptions {
  /** Message id; reuse one to emulate a redelivery. A uuid when absent. */
  id?: string;
  /** Send as a `/me` action. */
  action?: boolean;
  /** Replace (string) or remove (null) generated tags; for hostile tests. */
  tags?: TagOverrides;
  /** Sent with Reply on an earlier line (a viewer's or the bot's, by id): `@parent ` prefix and `reply-parent-*` tags. */
  replyTo?: string;
  /** Shared Chat: sent in this partner channel and shared in, with its `source-room-id`. */
  sharedFrom?: string;
}

/** Something that picks bot messages. A string matches a substring of the text. */
export type BotMessageMatcher = ((message: BotMessage) => boolean) | RegExp | string;

/** A running simulator. */
export interface ChatSimulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  createViewer(init: ViewerInit): Viewer;
  viewer(login: string): Viewer | undefined;
  /** Twitch rename: new login, same user id. */
  renameViewer(oldLogin: string, newLogin: string): Viewer;
  /**
   * Grants or removes moderator in a channel; connected clients of that login get a fresh
   * USERSTATE (and membership clients a `jtv MODE`). tmi.js 1.8.5 never forgets a mod it has
   * seen until it reconnects, so after an unmod read `mod` from the USERSTATE, not `isMod`.
   */
  setMod(channel: string, login: string, on: boolean): void;
  /** Makes `login` the channel's broadcaster (badge, and `room-id` becomes their user id). */
  setBroadcaster(channel: string, login: string): void;
  /** Delivers a viewer's chat message to every client in the channel; returns its id. */
  say(channel: string, login: string, text: string, options?: SayOptions): string;
  /** Sends the exact line of an earlier {@link say} again (same id and timestamp). */
  redeliver(id: string): void;
  /** Sends a raw IRC line to every registered client, or to those in `channel`. */
  sayRaw(line: string, channel?: string): void;
  onBotMessage(handler: (message: BotMessage) => void): () => void;
  botMessages(channel?: string): BotMessage[];
  /** Resolves with the next matching bot message sent after the call. */
  waitForBotMessage(channel: string, match?: BotMessageMatcher, timeoutMs?: number): Promise<BotMessage>;
  rateViolations(channel: string): number;
  duplicateViolations(channel: string): number;
  lengthViolations(channel?: string): number;
  /** Closes every client socket abruptly, as a network failure would. */
  dropConnections(): void;
  /** While false, new websocket connections are refused with HTTP 503. */
  setAcceptConnections(accept: boolean): void;
  /** Resolves at the next connection attempt that is refused (a client noticed it was cut off). */
  waitForRefusedConnection(timeoutMs?: number): Promise<void>;
  /** Changes the accepted tokens (null: any `oauth:` token; a function: asked at each login, without `oauth:`). */
  setValidTokens(tokens: Iterable<string> | ((token: string) => boolean) | null): void;
  /** Sends RECONNECT, as Twitch does before maintenance. */
  sendReconnect(): void;
  /**
   * Makes Twitch refuse `login`'s lines in `channel` with a NOTICE of this `msg-id` (e.g.
   * `msg_banned`, `msg_timedout`, `msg_followersonly`), as it does to a banned, timed-out or
   * non-following sender; null lifts it. Refused lines are not shown and get no USERSTATE.
   */
  setRestriction(channel: string, login: string, restriction: { msgId: string; text: string } | null): void;
  /** Changes chat modes and sends the ROOMSTATE update Twitch sends (only the changed tags). */
  setRoomMode(channel: string, mode: { slow?: number; followersOnly?: number; subsOnly?: boolean; emoteOnly?: boolean }): void;
  /** Server-side PING to every registered client; resolves with how many answered in time. */
  ping(timeoutMs?: number): Promise<number>;
  /** Whether a client (of `login`, if given) is in the channel. */
  joined(channel: string, login?: string): boolean;
  waitForJoin(channel: string, options?: { login?: string; timeoutMs?: number }): Promise<void>;
  connectionCount(): number;
  close(): Promise<void>;
}
