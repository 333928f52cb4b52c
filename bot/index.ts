/**
 * The chat bot process: a chat client, the command handler, the announcer and the outbox, on
 * top of a {@link Runtime} (services called directly, no HTTP hop). Runs inside `npm start`
 * or alone (`npm run start:bot`).
 */
import type { Logger } from 'pino';
import type { AppMetrics } from '../server/ports/metrics.js';
import type { Runtime } from '../server/runtime.js';
import { startAnnouncer } from './announcer.js';
import { botSetupHint } from '../server/startup/bot-setup-hint.js';
import { createChannelCache } from './channel-cache.js';
import type { TwitchChangedEvent } from '../server/events/types.js';
import type { ChatClient, ChatStatus, IncomingMessage } from '../server/ports/chat-client.js';
import { createCommandRegistry } from './commands/index.js';
import { createMessageHandler } from './handler.js';
import {
  createOutbox,
  createPledgeCoalescer,
  missionScope,
  setTimeoutSchedule,
  type OutboxPolicy,
  type PledgeConfirmation,
} from './output/index.js';
import { renderFor } from './replies.js';
import { createSeenIds, createTaskQueue, createUserCooldown } from './throttle.js';
import { createTmiClient } from './tmi-client.js';

export type { ChatClient, IncomingMessage, BotChannelState, ChatStatus } from '../server/ports/chat-client.js';

export interface BotOptions {
  /**
   * The bot account stored by the Twitch login flow; used when TWITCH_BOT_TOKEN is not set (or
   * was found invalid). `refresh` asks for a new token: Twitch refused the one it had.
   */
  storedCredentials?: ((options?: { refresh?: boolean }) => Promise<{ username: string; token: string } | null>) | undefined;
  /**
   * Twitch set-up changes from any process (a bot login, a token found invalid, a channel
   * added), so the bot joins, rejoins or leaves chat without a restart. Returns an unsubscribe.
   */
  watchTwitch?: ((listener: (change: TwitchChangedEvent) => void) => () => void) | undefined;
  /** Asks Twitch whether a static TWITCH_BOT_TOKEN is still valid (at start and hourly). */
  validateToken?: ((token: string) => Promise<'valid' | 'invalid' | 'unknown'>) | undefined;
  /** How often the static token is validated. Default one hour, as Twitch asks. */
  validateEveryMs?: number;
  /** Told of every chat message in a joined channel (watch-time chat bonus); must not throw. */
  onChatActivity?: ((message: IncomingMessage) => void) | undefined;
  runtime: Pick<Runtime, 'config' | 'services' | 'bus'>;
  /** Where the bot reports whether it can send to each channel (alerting on a disconnected bot). */
  /** Also where it counts the pledges it refuses for arriving too far behind chat. */
  metrics?: Pick<AppMetrics, 'chatChannelReady'> & Partial<Pick<AppMetrics, 'pledgesRefused'>>;
  /** Defaults to tmi.js on `config.twitch.ircUrl` with the configured bot account. */
  client?: ChatClient;
  logger: Logger;
  /** Per viewer per channel; moderators are exempt. Default 2000 ms. */
  userCooldownMs?: number;
  /** Minimum time between two pledge confirmations for one mission. Default 3000 ms. */
  pledgeWindowMs?: number;
  /** How often the channel list is re-read to join channels created later. Default 10 s. */
  channelPollMs?: number;
  /** How long a channel row (settings, pause flag) is cached. Default 5 s. */
  channelCacheMs?: number;
  /** Commands handled at once (the database pool is the real bound). Default 16. */
  concurrency?: number;
  /** Outbox limits (tests shorten them). */
  outbox?: OutboxPolicy;
  /** tmi.js reconnect delays. */
  reconnectIntervalMs?: number;
  maxReconnectIntervalMs?: number;
  now?: () => number;
}

export interface BotHandle {
  /** False when the bot was given no way to ever reach chat (no Twitch app, no credentials). */
  readonly running: boolean;
  /** Channels the bot has asked to join. */
  channels(): string[];
  /** Where the chat connection stands (readiness, set-up checklist). */
  status(): ChatStatus;
  /** Channels where Twitch refuses the bot's lines (banned, timed out, a chat mode), and why. */
  mutedChannels(): { channel: string; reason: string }[];
  /** Resolves when every message received so far has been handled and replied to (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const STOP_FLUSH_MS = 2_000;
const VALIDATE_EVERY_MS = 60 * 60_000;
const NOT_CONFIGURED = 'no bot account: set TWITCH_BOT_USERNAME and TWITCH_BOT_TOKEN, or log the bot in at /auth/twitch?as=bot';
const STATIC_INVALID =
  'TWITCH_BOT_TOKEN is no longer valid (Twitch /validate answered 401): replace it, or unset it and log the bot in at /auth/twitch?as=bot';
const STORED_INVALID = "the bot's Twitch token is no longer valid: log in again at /auth/twitch?as=bot";

interface ChatAccount {
  username: string;
  token: string | ((request: { rejected: boolean }) => Promise<string>);
  /** TWITCH_BOT_TOKEN rather than the stored, refreshable login. */
  fixed: boolean;
}

/**
 * Starts the bot. Without a bot account it waits for one (a Twitch login handled by any
 * process), so set-up never needs a restart.
 */
export async function startBot(options: BotOptions): Promise<BotHandle> {
  const { runtime, logger } = options;
  const { config, services, bus } = runtime;
  const log = logger.child({ role: 'bot' });
  const now = options.now ?? Date.now;
  const storedCredentials = options.storedCredentials;
  let fixedTokenInvalid = false;

  async function account(): Promise<ChatAccount | null> {
    const fixed = config.twitch.botToken;
    if (fixed && config.twitch.botUsername && !fixedTokenInvalid) return { username: config.twitch.botUsername, token: fixed, fixed: true };
    if (!storedCredentials) return null;
    const stored = await storedCredentials().catch((err: unknown) => {
      log.warn({ err: err instanceof Error ? err.name : 'Error' }, 'stored bot token unavailable');
      return null;
    });
    // A stored token is used only for the named bot account: with none named, whoever completed
    // the bot login first would otherwise speak as the bot in every channel.
    const expected = config.twitch.botUsername;
    if (stored && !expected) {
      log.warn({ stored: stored.username }, 'stored bot token ignored: set TWITCH_BOT_USERNAME to the bot account to use it');
    }
    if (!stored || !expected || expected !== stored.username) return null;
    return {
      username: stored.username,
      // Asked again before every reconnect: the stored token is refreshed (and rotated) by the
      // provider, so the one read at start stops working after a few hours.
      token: async ({ rejected }) => {
        const fresh = await storedCredentials({ refresh: rejected });
        if (!fresh) throw new Error('the stored bot token is gone or invalid: log in again at /auth/twitch?as=bot');
        return fresh.token;
      },
      fixed: false,
    };
  }

  let chat: ChatClient | null = null;
  let chatAccount: ChatAccount | null = null;
  let idleStatus: ChatStatus = { state: 'not_configured', error: NOT_CONFIGURED, since: now() };
  const joined = new Set<string>();
  const channels = createChannelCache((login) => services.channels.get(login), { ttlMs: options.channelCacheMs ?? 5_000, now });

  const outbox = createOutbox({
    ...options.outbox,
    send: (channel, text) => {
      if (!chat) throw new Error('not in chat');
      return chat.say(channel, text);
    },
    now,
    schedule: setTimeoutSchedule,
    onDrop: (message, reason) => log.debug({ channel: message.channel, priority: message.priority, reason }, 'chat reply dropped'),
  });

  const coalescer = createPledgeCoalescer({
    windowMs: options.pledgeWindowMs ?? 3_000,
    now,
    schedule: setTimeoutSchedule,
    emit: (login, confirmation) => {
      void confirmPledges(login, confirmation);
    },
  });

  async function confirmPledges(login: string, confirmation: PledgeConfirmation): Promise<void> {
    const channel = await channels.get(login).catch(() => null);
    if (!channel) return;
    const text =
      confirmation.kind === 'single'
        ? renderFor(channel, 'pledged', { user: confirmation.login, amount: confirmation.amount, number: confirmation.missionNumber, pot: confirmation.pot })
        : renderFor(channel, 'pledgesCoalesced', { number: confirmation.missionNumber, count: confirmation.count, pot: confirmation.pot });
    outbox.enqueue(login, {
      text,
      priority: 'confirm',
      // A newer summary replaces one still waiting; the coalescer counts from the last one seen.
      key: `pledges:${login}:${confirmation.missionNumber}`,
      // A pot figure: dropped unsent once the verdict has announced the final one.
      mission: missionScope.pot(confirmation.missionNumber),
      onSent: () => coalescer.acknowledge(login, confirmation),
    });
  }

  const tasks = createTaskQueue(options.concurrency ?? 16);
  const onMessage = createMessageHandler({
    services,
    channels,
    commands: createCommandRegistry(),
    enqueue: (login, message) => outbox.enqueue(login, message),
    confirmPledge: (login, notice) => coalescer.add(login, notice),
    cooldown: createUserCooldown(options.userCooldownMs ?? 2_000),
    seen: createSeenIds(),
    tasks,
    logger: log,
    now,
    publicUrl: config.publicUrl,
    metrics: options.metrics,
  });
  // Handlers hold the client they were attached to: lines from a client since replaced are ignored.
  function attach(client: ChatClient): void {
    client.onMessage((message) => {
      if (client !== chat || !joined.has(message.channel)) return;
      options.onChatActivity?.(message);
      onMessage(message);
    });
    client.onUserState((login, state) => {
      if (client !== chat) return;
      outbox.setModerator(login, state.mod);
      if (!state.mod && !warnedNotModerator.has(login)) {
        warnedNotModerator.add(login);
        log.warn({ channel: login }, `the bot is not a moderator in #${login}: Twitch limits it to one line a second and 20 per 30 s; type /mod ${chatAccount?.username ?? 'the bot'} in that chat`);
      } else if (state.mod) warnedNotModerator.delete(login);
    });
    // A line Twitch refused: the outbox resends it, or holds the channel while the bot cannot speak.
    client.onNotice((login, msgId, text) => {
      if (client !== chat) return;
      outbox.notice(login, msgId, text);
      const muted = outbox.mutedChannels().find((m) => m.channel === login);
      if (muted && mutedReason.get(login) !== muted.reason) {
        mutedReason.set(login, muted.reason);
        log.error({ channel: login, notice: muted.reason, text }, `Twitch refuses the bot's lines in #${login}; they wait until it may speak again`);
      } else if (!muted) mutedReason.delete(login);
    });
    client.onRoomModes((login, modes) => {
      if (client !== chat) return;
      if (modes.slowSeconds !== undefined) outbox.setSlowMode(login, modes.slowSeconds);
      if (modes.restrictionLifted) outbox.noteRoomModeLifted(login);
    });
    // Lines wait while the connection is down or the channel not yet joined, instead of failing.
    client.onChannelReady((login, ready) => {
      if (client !== chat) return;
      outbox.setReady(login, ready);
      options.metrics?.chatChannelReady.set({ channel: login }, ready ? 1 : 0);
    });
  }
  const warnedNotModerator = new Set<string>();
  const mutedReason = new Map<string, string>();

  const unsubscribe = startAnnouncer({
    bus,
    channels,
    enqueue: (login, message) => outbox.enqueue(login, message),
    settlePledges: (login, number) => coalescer.forget(login, number),
    isJoined: (login) => joined.has(login),
    logger: log,
    now,
  });

  // A channel changed elsewhere (settings saved, missions paused through the API): read it afresh
  // for the next command rather than up to the cache's lifetime later.
  const unsubscribeChannels = bus.subscribe((event) => {
    if (event.type === 'channel') channels.invalidate(event.channel);
  });

  async function joinAll(): Promise<void> {
    const client = chat;
    if (!client) return;
    const wanted = new Set(config.twitch.channels);
    for (const channel of await services.channels.list()) wanted.add(channel.login);
    for (const login of wanted) {
      if (joined.has(login) || client !== chat) continue;
      joined.add(login);
      outbox.setReady(login, false);
      await client.join(login);
      log.info({ channel: login }, 'joined channel');
    }
  }

  async function closeChat(state: ChatStatus['state'], error: string | null): Promise<void> {
    const client = chat;
    chat = null;
    chatAccount = null;
    // The closing client's events are ignored from here on: hold its channels' lines ourselves.
    for (const login of joined) {
      outbox.setReady(login, false);
      options.metrics?.chatChannelReady.set({ channel: login }, 0);
    }
    joined.clear();
    idleStatus = { state, error, since: now() };
    await client?.close();
  }

  /** Opens chat with the account available now; false when there is none (yet). */
  async function openChat(): Promise<boolean> {
    let client = options.client;
    let found: ChatAccount | null = null;
    if (!client) {
      found = await account();
      if (!found) {
        // A static token Twitch called invalid stays the reason until a stored login replaces it.
        idleStatus = fixedTokenInvalid
          ? { state: 'token_invalid', error: STATIC_INVALID, since: now() }
          : { state: 'not_configured', error: NOT_CONFIGURED, since: now() };
        log.warn(`chat bot waiting: ${fixedTokenInvalid ? STATIC_INVALID : botSetupHint(config)}`);
        return false;
      }
      if (found.fixed && options.validateToken && (await options.validateToken(found.token as string)) === 'invalid') {
        fixedTokenInvalid = true;
        log.error(STATIC_INVALID);
        idleStatus = { state: 'token_invalid', error: STATIC_INVALID, since: now() };
        return openChat();
      }
      client = createTmiClient({
        ircUrl: config.twitch.ircUrl,
        username: found.username,
        token: found.token,
        logger: log,
        reconnectIntervalMs: options.reconnectIntervalMs,
        maxReconnectIntervalMs: options.maxReconnectIntervalMs,
        now,
      });
    }
    chat = client;
    chatAccount = found;
    attach(client);
    await client.connect().catch((err: unknown) => log.warn({ err }, 'chat connection failed; retrying in the background'));
    await joinAll().catch((err: unknown) => log.error({ err }, 'could not read the channel list'));
    return true;
  }

  // Changes are applied one at a time, in arrival order: a login right after a revocation must
  // not be overtaken by it.
  let changes: Promise<unknown> = Promise.resolve();
  const serially = (work: () => Promise<unknown>): void => {
    changes = changes.then(work).catch((err: unknown) => log.error({ err }, 'applying a Twitch set-up change failed'));
  };

  function onTwitchChange(change: TwitchChangedEvent): void {
    if (change.change === 'channel') {
      serially(() => joinAll());
      return;
    }
    if (change.role !== 'bot' || options.client) return;
    serially(async () => {
      if (change.status === 'invalid') {
        if (!chat || chatAccount?.fixed) return;
        log.error(STORED_INVALID);
        await closeChat('token_invalid', STORED_INVALID);
        return;
      }
      // A bot login: (re)open unless this account is already in chat.
      if (chat && chat.status?.().state === 'connected' && !chatAccount?.fixed) return;
      if (chat && chatAccount?.fixed) return;
      await closeChat('connecting', null);
      await openChat();
    });
  }

  async function validateFixedToken(): Promise<void> {
    if (!chat || !chatAccount?.fixed || !options.validateToken || typeof chatAccount.token !== 'string') return;
    if ((await options.validateToken(chatAccount.token)) !== 'invalid') return;
    fixedTokenInvalid = true;
    log.error(STATIC_INVALID);
    await closeChat('token_invalid', STATIC_INVALID);
    // A stored bot login, if any, takes over.
    await openChat();
  }

  const unwatch = options.watchTwitch?.(onTwitchChange) ?? (() => undefined);
  await openChat();
  // Channels created later (API, CLI) are also found by polling, for processes whose channel
  // changes do not reach the bus (a CLI run, an older instance).
  const poll = setInterval(() => {
    joinAll().catch((err: unknown) => log.warn({ err }, 'channel poll failed'));
  }, options.channelPollMs ?? 10_000);
  poll.unref();
  // Twitch asks apps to validate the tokens they use hourly; stored tokens are validated by the
  // Twitch integration, the static one here because only the bot holds it.
  const validation = setInterval(() => serially(validateFixedToken), options.validateEveryMs ?? VALIDATE_EVERY_MS);
  validation.unref();

  let stopped = false;
  const configured = Boolean(options.client || (config.twitch.botUsername && config.twitch.botToken) || storedCredentials);
  return {
    running: configured,
    channels: () => [...joined],
    mutedChannels: () => outbox.mutedChannels(),
    status: () => (chat ? (chat.status?.() ?? { state: 'connected', error: null, since: 0 }) : idleStatus),
    async idle() {
      await tasks.idle();
      await outbox.flush();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      clearInterval(validation);
      unwatch();
      unsubscribe();
      unsubscribeChannels();
      await changes;
      await tasks.idle();
      coalescer.flush();
      // Give queued verdicts a moment to go out without holding shutdown hostage to the budget.
      await Promise.race([outbox.flush(), new Promise((resolve) => setTimeout(resolve, STOP_FLUSH_MS).unref())]);
      outbox.close();
      coalescer.close();
      await closeChat('closed', null);
    },
  };
}
