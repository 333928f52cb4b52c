/** {@link ChatClient} on tmi.js 1.8.5. Translation only: no business rules live here. */
import tmi from 'tmi.js';
import type { Logger } from 'pino';
import type { BotChannelState, ChatClient, ChatStatus, IncomingMessage, RoomModes } from '../server/ports/chat-client.js';
import { channelLogin, channelStateOf, toIncomingMessage, type ChatTags } from './incoming.js';
import { hangUp, interceptUserstate, patchInbox, resumeReconnecting, socketOf, stopReconnecting, type PausableSocket } from './tmi-internals.js';

export interface TmiClientOptions {
  /** `ws://host:port` or `wss://host[:port]` (config.twitch.ircUrl). */
  ircUrl: string;
  username: string;
  /**
   * `oauth:…`, or a function tmi.js calls before every (re)connect: a stored user token expires
   * after a few hours, and a fixed string would make every reconnect after that fail.
   * `rejected` is true after Twitch refused the last login, so the token must be refreshed
   * rather than read from a cache that still holds the refused one.
   */
  token: string | ((request: { rejected: boolean }) => Promise<string>);
  logger: Logger;
  /** First reconnect delay; grows by 1.5× up to `maxReconnectIntervalMs`. Default 1000. */
  reconnectIntervalMs?: number;
  maxReconnectIntervalMs?: number;
  /**
   * Incoming lines handled per event-loop turn at most this long (ms) before yielding. Default 8.
   * Without the slices a 10,000 lines/s storm arrives as ~2 MB socket reads handled in one turn
   * (~1 s), and every database round trip of the pledge batcher waits a turn: nothing commits.
   */
  sliceMs?: number;
  /** Received lines waiting beyond which the socket stops reading (TCP back-pressure). Default 2,000. */
  maxBacklog?: number;
  now?: () => number;
}

/** tmi.js connection settings from an IRC websocket URL. */
export function connectionFromUrl(ircUrl: string): { server: string; port: number; secure: boolean } {
  const url = new URL(ircUrl);
  const secure = url.protocol === 'wss:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return { server: url.hostname, port, secure };
}

/**
 * NOTICE texts after which tmi.js 1.8.5 sets `reconnect = false` and stays out of chat for good
 * (`client.js`, the NOTICE default branch). Twitch sends them when the token is expired,
 * revoked or malformed; a refreshed token is the cure, so this client reconnects itself.
 */
const LOGIN_REFUSED = /Login unsuccessful|Login authentication failed|Error logging in|Improperly formatted auth/;
/** tmi.js's reason when the password function threw; it then leaves the socket open, unauthenticated. */
const NO_TOKEN = 'Could not get a token.';

/** Creates the tmi.js-backed chat client. Nothing connects until {@link ChatClient.connect}. */
export function createTmiClient(options: TmiClientOptions): ChatClient {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ component: 'tmi' });
  const retryBaseMs = options.reconnectIntervalMs ?? 1_000;
  const retryMaxMs = options.maxReconnectIntervalMs ?? 30_000;
  let status: ChatStatus = { state: 'connecting', error: null, since: now() };
  const setStatus = (state: ChatStatus['state'], error: string | null): void => {
    if (status.state !== state || status.error !== error) status = { state, error, since: now() };
  };
  // Set when Twitch refused the login; cleared by the next successful one.
  let rejected = false;
  let refusals = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  const { token } = options;
  const password =
    typeof token === 'string'
      ? token
      : () =>
          token({ rejected }).catch((err: unknown) => {
            log.warn({ err: err instanceof Error ? err.message : 'unknown error' }, 'chat token not available for this connect');
            throw err;
          });
  const client = new tmi.Client({
    // Twitch allows 20 JOINs per 10 s per account; 600 ms apart keeps a margin. Viewers' JOIN and
    // PART (membership) are not used and would only cost parsing.
    options: { skipUpdatingEmotesets: true, joinInterval: 600, skipMembership: true },
    connection: {
      ...connectionFromUrl(options.ircUrl),
      reconnect: true,
      reconnectInterval: options.reconnectIntervalMs ?? 1_000,
      maxReconnectInterval: options.maxReconnectIntervalMs ?? 30_000,
      maxReconnectAttempts: Number.POSITIVE_INFINITY,
    },
    identity: { username: options.username, password },
    channels: [],
    // tmi.js logs every chat line at info; that belongs at debug in a service log.
    logger: {
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warn(m),
      error: (m: unknown) => log.warn({ err: m }, 'tmi.js error'),
    },
  });
  const inbox = createInbox(client, options.sliceMs ?? 8, options.maxBacklog ?? 2_000);
  const messageHandlers: ((m: IncomingMessage) => void)[] = [];
  const stateHandlers: ((channel: string, state: BotChannelState) => void)[] = [];
  const noticeHandlers: ((channel: string, msgId: string, text: string) => void)[] = [];
  const modeHandlers: ((channel: string, modes: RoomModes) => void)[] = [];
  const readyHandlers: ((channel: string, ready: boolean) => void)[] = [];
  const ready = new Set<string>();
  const setReady = (channel: string, on: boolean): void => {
    if (ready.has(channel) === on) return;
    if (on) ready.add(channel);
    else ready.delete(channel);
    for (const handler of readyHandlers) handler(channel, on);
  };
  // tmi.js rejoins `opts.channels` ∪ its joined list after every reconnect; keeping our channels
  // in `opts.channels` also covers a join asked for while disconnected. PART removes them.
  const wanted = client.getOptions().channels ?? [];
  client.getOptions().channels = wanted;

  client.on('message', (channel, tags, message, self) => {
    // `self` is tmi.js's local echo of what this connection sent; the same account typing from
    // another connection (a streamer running the bot on their own account) arrives with self false.
    if (self || tags['message-type'] !== 'chat') return;
    const incoming = toIncomingMessage(channel, tags as ChatTags, message, now());
    if (!incoming) return;
    for (const handler of messageHandlers) handler(incoming);
  });
  // tmi.js keeps `isMod` true after an unmod until it reconnects, and emits no event for a
  // USERSTATE; the parsed message carries the fresh tags (Twitch sends one after every PRIVMSG).
  // Read here, before tmi.js handles it: a `raw_message` listener would make tmi.js deep-copy
  // every line it receives (a JSON round trip per chat line), for the one command read.
  interceptUserstate(client, (channel, tags) => {
    const state = channelStateOf(tags);
    const login = channelLogin(channel);
    for (const handler of stateHandlers) handler(login, state);
  });
  client.on('notice', (channel, msgId, text) => {
    const login = channelLogin(channel);
    for (const handler of noticeHandlers) handler(login, String(msgId), String(text));
  });
  // Twitch answers a JOIN with ROOMSTATE (all modes); later ones carry only what changed.
  client.on('roomstate', (channel, tags) => {
    const login = channelLogin(channel);
    setReady(login, true);
    const modes = roomModesOf(tags as Record<string, unknown>);
    if (modes.slowSeconds !== undefined || modes.restrictionLifted) for (const handler of modeHandlers) handler(login, modes);
  });
  client.on('part', (channel, _username, self) => {
    if (self) setReady(channelLogin(channel), false);
  });
  let closing = false;
  // tmi.js gives up after a refused login; this retries with backoff, asking for a fresh token.
  const retryLogin = (reason: string): void => {
    if (retryTimer) return;
    refusals += 1;
    const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(refusals - 1, 16));
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (closing) return;
      resumeReconnecting(client);
      client.connect().catch(() => undefined);
    }, delay);
    retryTimer.unref();
    if (reason === NO_TOKEN) {
      log.error({ attempt: refusals, retryInMs: delay }, 'no chat token available; chat stays disconnected until one is');
    } else {
      const fix =
        typeof token === 'string'
          ? 'TWITCH_BOT_TOKEN is expired or revoked: replace it, or unset it and log the bot in at /auth/twitch?as=bot'
          : 'refreshing the token before the next attempt';
      log.error({ reason, attempt: refusals, retryInMs: delay }, `Twitch refused the chat login; ${fix}`);
    }
  };
  client.on('disconnected', (reason) => {
    for (const login of [...ready]) setReady(login, false);
    if (closing) {
      log.info('chat disconnected');
      return;
    }
    const why = String(reason);
    if (LOGIN_REFUSED.test(why) || why === NO_TOKEN) {
      rejected = rejected || why !== NO_TOKEN;
      setStatus('login_failed', why);
      if (why === NO_TOKEN) {
        // tmi.js left the socket open and unauthenticated; close it without its own reconnect.
        hangUp(client, NO_TOKEN);
      }
      retryLogin(why);
      return;
    }
    if (retryTimer) return;
    setStatus('connecting', why);
    log.warn({ reason }, 'chat disconnected; reconnecting');
  });
  client.on('connected', () => {
    // A reconnect timer tmi.js had already started fires after close(): hang up again.
    if (closing) {
      client.disconnect().catch(() => undefined);
      return;
    }
    rejected = false;
    refusals = 0;
    setStatus('connected', null);
    log.info('chat connected');
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
    onNotice(handler) {
      noticeHandlers.push(handler);
    },
    onRoomModes(handler) {
      modeHandlers.push(handler);
    },
    onChannelReady(handler) {
      readyHandlers.push(handler);
    },
    status: () => status,
    async close() {
      closing = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      setStatus('closed', null);
      inbox.close();
      stopReconnecting(client);
      if (client.readyState() === 'CLOSED') return;
      await client.disconnect().catch(() => undefined);
    },
  };
}

/** tmi.js parses ROOMSTATE tags loosely: `slow` may be false, "0" or "30"; off is "0"/false/"-1". */
export function roomModesOf(tags: Record<string, unknown>): RoomModes {
  const modes: RoomModes = {};
  if ('slow' in tags) {
    const seconds = Number(tags.slow === false ? 0 : tags.slow);
    modes.slowSeconds = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  }
  const off = (value: unknown): boolean => value === false || value === '0' || value === '-1' || value === 0 || value === -1;
  if (['followers-only', 'subs-only', 'emote-only'].some((tag) => tag in tags && off(tags[tag]))) modes.restrictionLifted = true;
  return modes;
}

/**
 * Replaces tmi.js's socket handler with a queue drained in time slices: control lines (no IRCv3
 * tags: PING, PONG, numerics, JOIN) are handled at once so a backlog never delays a PONG; tagged
 * lines (chat, USERSTATE, NOTICE) keep their order and are handled at most `sliceMs` per turn,
 * and the socket pauses while more than `maxBacklog` wait.
 */
function createInbox(client: tmi.Client, sliceMs: number, maxBacklog: number): { close(): void } {
  let lines: string[] = [];
  let head = 0;
  let paused: PausableSocket | null = null;
  let timer: NodeJS.Immediate | null = null;

  const drain = (): void => {
    timer = null;
    const deadline = performance.now() + sliceMs;
    do {
      const line = lines[head++];
      if (line !== undefined) handle(line);
    } while (head < lines.length && performance.now() < deadline);
    if (head >= lines.length) {
      lines = [];
      head = 0;
    } else if (head > 4_096) {
      lines = lines.slice(head);
      head = 0;
    }
    if (paused && lines.length - head < maxBacklog / 4) {
      paused.resume();
      paused = null;
    }
    if (head < lines.length) timer = setImmediate(drain);
  };

  const handle = patchInbox(client, (data) => {
    for (const line of data.trim().split('\r\n')) {
      if (line === '') continue;
      if (line.startsWith('@')) lines.push(line);
      else handle(line);
    }
    const socket = socketOf(client);
    if (!paused && socket && lines.length - head > maxBacklog) {
      paused = socket;
      paused.pause();
    }
    if (head < lines.length && !timer) timer = setImmediate(drain);
  });
  return {
    close() {
      if (timer) clearImmediate(timer);
      timer = null;
      paused?.resume();
      paused = null;
    },
  };
}
