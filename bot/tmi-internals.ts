/**
 * Every use of tmi.js's private members, in one place. tmi.js offers no public way to read a
 * USERSTATE before it handles the line, to handle its socket's lines in time slices, or to hang up
 * without reconnecting; these were measured wins, so the bot reaches in here, and
 * `tests/unit/tmi-internals.test.ts` fails when an upgrade moves what this file relies on.
 *
 * What tmi.js 1.8.5 does that this file depends on (`lib/client.js`):
 * - `connect()` binds `this._onMessage` as the socket's `onmessage`, so replacing it on the
 *   instance before connecting takes every later socket's data.
 * - `_onMessage(event)` splits `event.data` on CRLF, parses each line and calls
 *   `this.handleMessage(message)`, looked up on the instance, for each line that parses.
 * - `ws` is the `ws` package's WebSocket (it has `pause()` and `resume()`) while connected, else null.
 * - `reconnect` decides whether a close that `disconnect()` did not ask for reconnects; `reason`
 *   is the text its `disconnected` event reports.
 */
import type { Client } from 'tmi.js';
import type { ChatTags } from './incoming.js';

/** The tmi.js version whose internals this file was written against. */
export const TMI_VERSION_WRITTEN_FOR = '1.8.5';

/** A socket whose reading can stop, so TCP back-pressure reaches the server. */
export interface PausableSocket {
  pause(): void;
  resume(): void;
}

/** A line as tmi.js's parser returns it. */
export interface ParsedLine {
  command?: string;
  params?: string[];
  tags?: ChatTags;
}

/** The private members of a tmi.js client that this file touches. */
interface TmiInternals {
  ws: (PausableSocket & { close(): void }) | null;
  reconnect: boolean;
  reason: string;
  _onMessage(event: { data: unknown }): void;
  handleMessage(message: ParsedLine): void;
}

const internals = (client: Client): TmiInternals => client as unknown as TmiInternals;

/**
 * Routes the socket's data to `onData` instead of tmi.js, and returns tmi.js's own handling
 * (parse, then `handleMessage`) for the caller to run on one line or more. Call before `connect()`.
 */
export function patchInbox(client: Client, onData: (data: string) => void): (line: string) => void {
  const tmi = internals(client);
  const original = tmi._onMessage.bind(client);
  tmi._onMessage = (event) => onData(String(event.data));
  return (line) => original({ data: line });
}

/**
 * Calls `fn` with each USERSTATE's channel (`#login`) and tags, before tmi.js handles the line:
 * tmi.js emits no event for USERSTATE, and a `raw_message` listener would make it deep-copy every
 * line it receives.
 */
export function interceptUserstate(client: Client, fn: (channel: string, tags: ChatTags) => void): void {
  const tmi = internals(client);
  const original = tmi.handleMessage.bind(client);
  tmi.handleMessage = (message) => {
    const channel = message.params?.[0];
    if (message.command === 'USERSTATE' && channel && message.tags) fn(channel, message.tags);
    original(message);
  };
}

/** The socket tmi.js reads from now, or null while it has none. */
export function socketOf(client: Client): PausableSocket | null {
  return internals(client).ws;
}

/** Makes the next close final: tmi.js then does not reconnect by itself. */
export function stopReconnecting(client: Client): void {
  internals(client).reconnect = false;
}

/** Lets tmi.js reconnect again after closes it did not ask for (it clears the flag itself after a refused login). */
export function resumeReconnecting(client: Client): void {
  internals(client).reconnect = true;
}

/**
 * Closes tmi.js's socket without its reconnect; its `disconnected` event reports `reason`. For a
 * socket tmi.js left open and unauthenticated (the password function threw).
 */
export function hangUp(client: Client, reason: string): void {
  const tmi = internals(client);
  tmi.reconnect = false;
  tmi.reason = reason;
  tmi.ws?.close();
}
