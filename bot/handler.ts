/**
 * From a chat message to a command: redelivery filter, per-user cooldown on reads, channel
 * lookup, parsing, role check, execution, and the reply for whatever went wrong. Never throws.
 */
import type { Logger } from 'pino';
import { isDomainError } from '../server/domain/errors.js';
import { CHAT_KEY_PREFIX, type Actor } from '../server/domain/actor.js';
import type { Services } from '../server/services/index.js';
import { requestHash } from '../server/services/transaction.js';
import type { Channel } from '../server/services/channels.js';
import type { ChannelCache } from './channel-cache.js';
import type { IncomingMessage } from '../server/ports/chat-client.js';
import type { AppMetrics } from '../server/ports/metrics.js';
import { createLagMeter } from './lag.js';
import type { AnyCommand, CommandContext } from './commands/index.js';
import { translateError, translateParseFailure, type Locale, type LooseParams } from './i18n/index.js';
import type { OutgoingMessage, PledgeNotice, Priority } from './output/index.js';
import { parseCommand, type CommandName, type ParsedCommandResult } from './parse/command.js';
import { renderFor } from './replies.js';
import type { SeenIds, TaskQueue, UserCooldown } from './throttle.js';

export interface MessageHandlerDeps {
  services: Services;
  channels: ChannelCache;
  commands: ReadonlyMap<CommandName, AnyCommand>;
  /** Queues a reply in the channel's outbox. */
  enqueue(channel: string, message: OutgoingMessage): void;
  confirmPledge(channel: string, notice: PledgeNotice): void;
  cooldown: UserCooldown;
  seen: SeenIds;
  tasks: TaskQueue;
  logger: Logger;
  now: () => number;
  /** PUBLIC_URL, for the public board link of `!missions`. */
  publicUrl?: string;
  /** Counts the pledges refused here because their line reached the bot too far behind chat. */
  metrics?: Partial<Pick<AppMetrics, 'pledgesRefused'>> | undefined;
}

/**
 * Commands that only read and reply. The per-user cooldown may thin these (a viewer spamming
 * `!points` costs queries and chat lines), never a command that changes something: a pledge, a
 * proposal or a cancel typed twice in two seconds is two intentions, and dropping one silently
 * loses it. Actions are bounded elsewhere, each with a reply: the channel's create cooldown and
 * open-mission limits, the batcher's admission, Twitch's own per-user chat limits.
 */
const READ_ONLY_COMMANDS: ReadonlySet<CommandName> = new Set(['show', 'list', 'balance']);

/** Whether the per-user cooldown applies: reads and usage errors only, which change nothing. */
export function isThrottledByCooldown(parsed: ParsedCommandResult): boolean {
  return parsed.ok ? READ_ONLY_COMMANDS.has(parsed.command.name) : true;
}

/**
 * A pledge whose line reached the bot this much later than fresh lines do is refused at once
 * (OVERLOADED, the busy reply): a bot that cannot keep up with chat falls behind without bound
 * (the lines wait unread in its socket, where the service's admission cannot see them) until
 * tmi.js misses a PONG and reconnects. Refusing is far cheaper than committing, so it catches up.
 */
export const MAX_BEHIND_MS = 2_000;

/** At most one coalesced OVERLOADED reply per channel per this interval. */
export const BUSY_REPLY_INTERVAL_MS = 10_000;

/** Returns the function to call for every incoming chat message. */
export function createMessageHandler(deps: MessageHandlerDeps): (message: IncomingMessage) => void {
  const { logger } = deps;

  /** `tooLate`: the line reached the bot too far behind chat for a pledge to be taken. */
  async function handle(message: IncomingMessage, parsed: ParsedCommandResult, tooLate = false): Promise<void> {
    const channel = await deps.channels.get(message.channel);
    if (channel === null) return;
    const extra: LooseParams = { user: message.user.login, currency: channel.settings.currencyName };
    const { locale } = channel.settings;
    const enqueue = (text: string, priority: Priority): void => {
      if (text !== '') deps.enqueue(channel.login, { text, priority });
    };
    if (!parsed.ok) {
      enqueue(translateParseFailure(locale, parsed, extra), 'error');
      return;
    }
    const command = deps.commands.get(parsed.command.name);
    if (!command) return;
    const ctx = contextFor(channel, message);
    if (!command.canExecute(ctx)) {
      enqueue(translateError(locale, { code: 'FORBIDDEN' }, extra), 'error');
      return;
    }
    if (tooLate) {
      deps.metrics?.pledgesRefused?.inc({ reason: 'behind' });
      busyReply(channel.login, locale, channel.settings.currencyName);
      return;
    }
    try {
      await command.execute(parsed.command, ctx);
    } catch (err) {
      if (isDomainError(err) && err.code === 'OVERLOADED') {
        busyReply(channel.login, locale, channel.settings.currencyName);
        return;
      }
      if (isDomainError(err)) {
        enqueue(translateError(locale, err, extra) || translateError(locale, { code: 'VALIDATION' }, extra), 'error');
        return;
      }
      logger.error({ err, channel: channel.login, command: parsed.command.name, messageId: message.id }, 'chat command failed');
      enqueue(translateError(locale, { code: 'VALIDATION' }, extra), 'error');
    }
  }

  // A storm refuses thousands of pledges a second; one "too busy" line per channel per interval
  // (no @user: it answers everyone) instead of an error reply per refused pledge.
  const busyRepliedAt = new Map<string, number>();
  function busyReply(login: string, locale: Locale, currency: string): void {
    const now = deps.now();
    const last = busyRepliedAt.get(login);
    if (last !== undefined && now - last < BUSY_REPLY_INTERVAL_MS) return;
    busyRepliedAt.set(login, now);
    const text = translateError(locale, { code: 'OVERLOADED' }, { currency });
    if (text !== '') deps.enqueue(login, { text, priority: 'error' });
  }

  function contextFor(channel: Channel, message: IncomingMessage): CommandContext {
    const actor: Actor = { kind: 'chat', channel: channel.login, user: message.user, role: message.role };
    return {
      channel,
      user: message.user,
      role: message.role,
      actor,
      messageId: message.id,
      services: deps.services,
      now: deps.now,
      ...(deps.publicUrl === undefined ? {} : { publicUrl: deps.publicUrl }),
      reply(key, params, priority, mission) {
        const text = renderFor(channel, key, params as LooseParams);
        if (text !== '') deps.enqueue(channel.login, { text, priority, ...(mission ? { mission } : {}) });
      },
      replyText(text, priority) {
        if (text !== '') deps.enqueue(channel.login, { text, priority });
      },
      idempotency(parts) {
        // Hashed when read: a batched pledge is keyed by the message id alone and compared field
        // by field, so a storm's pledges never pay for a SHA-256 they do not use.
        let hash: string | undefined;
        return {
          scope: `channel:${channel.id}`,
          key: `${CHAT_KEY_PREFIX}${message.id}`,
          get hash() {
            return (hash ??= requestHash([message.user.userId, ...parts]));
          },
        };
      },
      confirmPledge(notice) {
        deps.confirmPledge(channel.login, notice);
      },
      invalidateChannel() {
        deps.channels.invalidate(channel.login);
      },
    };
  }

  // Pledges do not take a slot each in the task queue: the service micro-batches them, so a storm
  // needs hundreds in flight at once (the batcher's bounded queue is the limit, OVERLOADED beyond).
  // One "lane" task stays in the queue while any pledge is in flight, so `tasks.idle()` (tests,
  // shutdown) still waits for every pledge.
  let pledgesInFlight = 0;
  let laneOpen = false;
  let laneDrained: (() => void) | null = null;
  function runPledge(message: IncomingMessage, parsed: ParsedCommandResult, tooLate: boolean): void {
    pledgesInFlight++;
    if (!laneOpen) {
      laneOpen = true;
      deps.tasks.run('pledge-lane', () =>
        new Promise<void>((resolve) => {
          const close = (): void => {
            laneOpen = false;
            laneDrained = null;
            resolve();
          };
          if (pledgesInFlight === 0) close();
          else laneDrained = close;
        }),
      );
    }
    handle(message, parsed, tooLate)
      .catch((err: unknown) => logger.error({ err, messageId: message.id }, 'chat message handling failed'))
      .finally(() => {
        pledgesInFlight--;
        if (pledgesInFlight === 0) laneDrained?.();
      });
  }

  const lag = createLagMeter();
  return (message) => {
    if (!deps.seen.firstTime(`${message.channel}:${message.id}`)) return;
    // Every line keeps the lag meter's idea of a fresh line current, commands or not.
    const behindMs = message.sentAt === undefined ? 0 : lag.behind(message.sentAt, message.at);
    // Cheap checks first, so read spam never reaches the database. Moderators are never
    // throttled: they may need to approve and judge in quick succession.
    const parsed = parseCommand(message.text);
    if (parsed === null) return;
    if (message.role === 'viewer' && isThrottledByCooldown(parsed) && !deps.cooldown.tryUse(`${message.channel}:${message.user.userId}`, deps.now())) return;
    if (parsed.ok && parsed.command.name === 'pledge') {
      runPledge(message, parsed, behindMs > MAX_BEHIND_MS);
      return;
    }
    deps.tasks.run(`${message.channel}:${message.user.userId}`, () =>
      handle(message, parsed).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'chat message handling failed')),
    );
  };
}
