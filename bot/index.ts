/**
 * The chat bot process: a chat client, the command handler, the announcer and the outbox, on
 * top of a {@link Runtime} (services called directly, no HTTP hop). Runs inside `npm start`
 * or alone (`npm run start:bot`).
 */
import type { Logger } from 'pino';
import type { AppMetrics } from '../server/http/metrics.js';
import type { Runtime } from '../server/runtime.js';
import { startAnnouncer } from './announcer.js';
import { createChannelCache } from './channel-cache.js';
import type { ChatClient, IncomingMessage } from './chat-client.js';
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

export type { ChatClient, IncomingMessage, BotChannelState } from './chat-client.js';

export interface BotOptions {
  /** The bot account stored by the Twitch login flow; used when TWITCH_BOT_TOKEN is not set. */
  storedCredentials?: (() => Promise<{ username: string; token: string } | null>) | undefined;
  /** Told of every chat message in a joined channel (watch-time chat bonus); must not throw. */
  onChatActivity?: ((message: IncomingMessage) => void) | undefined;
  runtime: Pick<Runtime, 'config' | 'services' | 'bus'>;
  /** Where the bot reports whether it can send to each channel (alerting on a disconnected bot). */
  metrics?: Pick<AppMetrics, 'chatChannelReady'>;
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
  now?: () => number;
}

export interface BotHandle {
  /** False when the bot did not start (no credentials). */
  readonly running: boolean;
  /** Channels the bot has asked to join. */
  channels(): string[];
  /** Channels where Twitch refuses the bot's lines (banned, timed out, a chat mode), and why. */
  mutedChannels(): { channel: string; reason: string }[];
  /** Resolves when every message received so far has been handled and replied to (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const STOP_FLUSH_MS = 2_000;

/** Starts the bot, or logs why it cannot and returns a handle that does nothing. */
export async function startBot(options: BotOptions): Promise<BotHandle> {
  const { runtime, logger } = options;
  const { config, services, bus } = runtime;
  const log = logger.child({ role: 'bot' });
  const now = options.now ?? Date.now;
  let { botUsername } = config.twitch;
  let botToken: string | (() => Promise<string>) | undefined = config.twitch.botToken;
  const storedCredentials = options.storedCredentials;
  if (!botToken && !options.client && storedCredentials) {
    const stored = await storedCredentials().catch((err: unknown) => {
      log.warn({ err: err instanceof Error ? err.name : 'Error' }, 'stored bot token unavailable');
      return null;
    });
    if (stored && (!botUsername || botUsername === stored.username)) {
      botUsername = stored.username;
      // Asked again before every reconnect: the stored token is refreshed (and rotated) by the
      // provider, so the one read at start stops working after a few hours.
      botToken = async () => {
        const fresh = await storedCredentials();
        if (!fresh) throw new Error('the stored bot token is gone or invalid: log in again at /auth/twitch?as=bot');
        return fresh.token;
      };
    }
  }

  let client = options.client;
  if (!client) {
    if (!botUsername || !botToken) {
      log.warn('chat bot not started: set TWITCH_BOT_USERNAME and TWITCH_BOT_TOKEN (oauth:…) to enable it');
      return { running: false, channels: () => [], mutedChannels: () => [], idle: () => Promise.resolve(), stop: () => Promise.resolve() };
    }
    client = createTmiClient({
      ircUrl: config.twitch.ircUrl,
      username: botUsername,
      token: botToken,
      logger: log,
      reconnectIntervalMs: options.reconnectIntervalMs,
      now,
    });
  }
  const chat = client;

  const joined = new Set<string>();
  const channels = createChannelCache((login) => services.channels.get(login), { ttlMs: options.channelCacheMs ?? 5_000, now });

  const outbox = createOutbox({
    ...options.outbox,
    send: (channel, text) => chat.say(channel, text),
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
  });
  chat.onMessage((message) => {
    if (!joined.has(message.channel)) return;
    options.onChatActivity?.(message);
    onMessage(message);
  });
  const warnedNotModerator = new Set<string>();
  chat.onUserState((login, state) => {
    outbox.setModerator(login, state.mod);
    if (!state.mod && !warnedNotModerator.has(login)) {
      warnedNotModerator.add(login);
      log.warn({ channel: login }, `the bot is not a moderator in #${login}: Twitch limits it to one line a second and 20 per 30 s; type /mod ${botUsername ?? 'the bot'} in that chat`);
    } else if (state.mod) warnedNotModerator.delete(login);
  });
  // A line Twitch refused: the outbox resends it, or holds the channel while the bot cannot speak.
  const mutedReason = new Map<string, string>();
  chat.onNotice((login, msgId, text) => {
    outbox.notice(login, msgId, text);
    const muted = outbox.mutedChannels().find((m) => m.channel === login);
    if (muted && mutedReason.get(login) !== muted.reason) {
      mutedReason.set(login, muted.reason);
      log.error({ channel: login, notice: muted.reason, text }, `Twitch refuses the bot's lines in #${login}; they wait until it may speak again`);
    } else if (!muted) mutedReason.delete(login);
  });
  chat.onRoomModes((login, modes) => {
    if (modes.slowSeconds !== undefined) outbox.setSlowMode(login, modes.slowSeconds);
    if (modes.restrictionLifted) outbox.noteRoomModeLifted(login);
  });
  // Lines wait while the connection is down or the channel not yet joined, instead of failing.
  chat.onChannelReady((login, ready) => {
    outbox.setReady(login, ready);
    options.metrics?.chatChannelReady.set({ channel: login }, ready ? 1 : 0);
  });

  const unsubscribe = startAnnouncer({
    bus,
    channels,
    enqueue: (login, message) => outbox.enqueue(login, message),
    settlePledges: (login, number) => coalescer.forget(login, number),
    isJoined: (login) => joined.has(login),
    logger: log,
    now,
  });

  async function joinAll(): Promise<void> {
    const wanted = new Set(config.twitch.channels);
    for (const channel of await services.channels.list()) wanted.add(channel.login);
    for (const login of wanted) {
      if (joined.has(login)) continue;
      joined.add(login);
      outbox.setReady(login, false);
      await chat.join(login);
      log.info({ channel: login }, 'joined channel');
    }
  }

  await chat.connect().catch((err: unknown) => log.warn({ err }, 'chat connection failed; retrying in the background'));
  await joinAll().catch((err: unknown) => log.error({ err }, 'could not read the channel list'));
  // Channels created later (API, CLI) are found by polling: there is no channel-created event on
  // the bus, and a 10 s delay before the bot shows up in a brand-new channel is harmless.
  const poll = setInterval(() => {
    joinAll().catch((err: unknown) => log.warn({ err }, 'channel poll failed'));
  }, options.channelPollMs ?? 10_000);
  poll.unref();

  let stopped = false;
  return {
    running: true,
    channels: () => [...joined],
    mutedChannels: () => outbox.mutedChannels(),
    async idle() {
      await tasks.idle();
      await outbox.flush();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      unsubscribe();
      await tasks.idle();
      coalescer.flush();
      // Give queued verdicts a moment to go out without holding shutdown hostage to the budget.
      await Promise.race([outbox.flush(), new Promise((resolve) => setTimeout(resolve, STOP_FLUSH_MS).unref())]);
      outbox.close();
      coalescer.close();
      await chat.close();
    },
  };
}
