/** What a chat command is and what it gets to work with: a registry of small objects. */
import type { Actor, ChatRole, ChatUser } from '../../server/domain/actor.js';
import type { Channel } from '../../server/services/channels.js';
import type { Services } from '../../server/services/index.js';
import type { IdempotencyRequest } from '../../server/services/transaction.js';
import type { MessageKey, ParamsOf } from '../i18n/index.js';
import type { MissionScope, PledgeNotice, Priority } from '../output/index.js';
import type { CommandName, ParsedCommand } from '../parse/command.js';

/** Everything a command may use. Commands never see the chat client. */
export interface CommandContext {
  channel: Channel;
  user: ChatUser;
  role: ChatRole;
  actor: Actor;
  /** Twitch's message id; the idempotency key of every write this message makes. */
  messageId: string;
  services: Services;
  now: () => number;
  /** PUBLIC_URL, for links to this server's pages (the public board); absent in some tests. */
  publicUrl?: string;
  /**
   * A localised reply in the channel's locale and currency, through the outbox. `mission`: the
   * mission it describes, so the reply is dropped unsent if the mission has moved on.
   */
  reply<K extends MessageKey>(key: K, params: ParamsOf<K>, priority: Priority, mission?: MissionScope): void;
  /** A reply already rendered (lists). */
  replyText(text: string, priority: Priority): void;
  /** `{ scope: 'channel:<id>', key: 'chat:<messageId>', hash }`: one effect per chat message. */
  idempotency(parts: readonly unknown[]): IdempotencyRequest;
  /** Hands a pledge confirmation to the coalescer. */
  confirmPledge(notice: PledgeNotice): void;
  /** The channel row changed (pause/resume): drop the cached copy. */
  invalidateChannel(): void;
}

export type CommandOf<N extends CommandName> = Extract<ParsedCommand, { name: N }>;

export interface Command<N extends CommandName = CommandName> {
  readonly name: N;
  /** A cheap role check before any query; the services authorise again. */
  canExecute(ctx: CommandContext): boolean;
  execute(command: CommandOf<N>, ctx: CommandContext): Promise<void>;
}

/** Moderator powers, from the IRC tags only. */
export const isPrivileged = (ctx: Pick<CommandContext, 'role'>): boolean => ctx.role !== 'viewer';
export const anyone = (): boolean => true;
