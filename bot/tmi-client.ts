/** {@link ChatClient} on tmi.js 1.8.5. Translation only: no business rules live here. */
import tmi from 'tmi.js';
import type { Logger } from 'pino';
import type { BotChannelState, ChatClient, IncomingMessage } from './chat-client.js';
import { channelLogin, channelStateOf, toIncomingMessage, type ChatTags } from './incoming.js';

export interface TmiClientOptions {
  /** `ws://host:port` or `wss://host[:port]` (config.twitch.ircUrl). */
  ircUrl: string;
  username: string;
  /** `oauth:…` */
  token: string;
  logger: Logger;
  /** First reconnect delay; grows by 1.5× up to `maxReconnectIntervalMs`. Default 1000. */
  reconnectIntervalMs?: number;
  maxReconnectIntervalMs?: number;
  now?: () => number;
}

/** tmi.js connection settings from an IRC websocket URL. */
export function connectionFromUrl(ircUrl: string): { server: string; port: number; secure: boolean } {
  const url = new URL(ircUrl);
  const secure = url.protocol === 'wss:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return { server: url.hostname, port, secure };
}

interface RawMessage {
  command?: string;
  params?: string[];
  tags?: ChatTags;
}

/** Creates the tmi.js-backed chat client. Nothing connects until {@link ChatClient.connect}. */
export function createTmiClient(options: TmiClientOptions): ChatClient {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ component: 'tmi' });
  const client = new tmi.Client({
    options: { skipUpdatingEmotesets: true, joinInterval: 300 },
    connection: {
      ...connectionFromUrl(options.ircUrl),
      reconnect: true,
      reconnectInterval: options.reconnectIntervalMs ?? 1_000,
      maxReconnectInterval: options.maxReconnectIntervalMs ?? 30_000,
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
    },
    identity: { username: options.username, password: options.token },
    channels: [],
    // tmi.js logs every chat line at info; that belongs at debug in a service log.
    logger: {
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warn(m),
      error: (m: unknown) => log.warn({ err: m }, 'tmi.js error'),
    },
  });
  const messageHandlers: ((m: IncomingMessage) => void)[] = [];
  const stateHandlers: ((channel: string, state: BotChannelState) => void)[] = [];
  // tmi.js rejoins `opts.channels` ∪ its joined list after every reconnect; keeping our channels
  // in `opts.channels` also covers a join asked for while disconnected. PART removes them.
  const wanted = client.getOptions().channels ?? [];
  client.getOptions().channels = wanted;

  client.on('message', (channel, tags, message, self) => {
    if (self || tags['message-type'] !== 'chat') return;
    const incoming = toIncomingMessage(channel, tags as ChatTags, message, client.getUsername(), now());
    if (!incoming) return;
    for (const handler of messageHandlers) handler(incoming);
  });
  // tmi.js keeps `isMod` true after an unmod until it reconnects, and emits no event for a
  // USERSTATE; the raw message carries the fresh tags (Twitch sends one after every PRIVMSG).
  client.on('raw_message', (_copy: unknown, message: RawMessage) => {
    if (message.command !== 'USERSTATE' || !message.params?.[0] || !message.tags) return;
    const state = channelStateOf(message.tags);
    const channel = channelLogin(message.params[0]);
    for (const handler of stateHandlers) handler(channel, state);
  });
  let closing = false;
  client.on('disconnected', (reason) => {
    if (closing) log.info('chat disconnected');
    else log.warn({ reason }, 'chat disconnected; reconnecting');
  });
  client.on('connected', () => {
    // A reconnect timer tmi.js had already started fires after close(): hang up again.
    if (closing) client.disconnect().catch(() => undefined);
    else log.info('chat connected');
  });

  const connected = (): boolean => client.readyState() === 'OPEN';

  return {
    async connect() {
      await client.connect();
    },
    async join(channel) {
      const name = `#${channelLogin(channel)}`;
      if (!wanted.includes(name)) wanted.push(name);
      if (!connected() || client.getChannels().includes(name)) return;
      await client.join(name).then(
        () => undefined,
        (err: unknown) => log.warn({ err, channel: name }, 'join failed; retried after the next reconnect'),
      );
    },
    async part(channel) {
      const name = `#${channelLogin(channel)}`;
      const index = wanted.indexOf(name);
      if (index !== -1) wanted.splice(index, 1);
      if (connected()) await client.part(name).catch(() => undefined);
    },
    async say(channel, text) {
      await client.say(`#${channelLogin(channel)}`, text);
    },
    onMessage(handler) {
      messageHandlers.push(handler);
    },
    onUserState(handler) {
      stateHandlers.push(handler);
    },
    async close() {
      closing = true;
      // Not in the typings, but the flag tmi.js checks before scheduling another reconnect.
      (client as unknown as { reconnect: boolean }).reconnect = false;
      if (client.readyState() === 'CLOSED') return;
      await client.disconnect().catch(() => undefined);
    },
  };
}
