/**
 * Remembers who chatted, for the accrual's chat bonus and its chat-activity fallback. Lines are
 * buffered (latest time per viewer and channel) and written every `flushMs` in one statement per
 * channel: a pledge storm is 10,000 lines a second, and a write per line was 10,000 statements a
 * second on the database the pledges need. Accrual reads activity per interval (minutes), so a
 * couple of seconds' delay changes nothing; `stop()` writes what is left.
 */
import type { Logger } from 'pino';
import type { IncomingMessage } from '../ports/chat-client.js';
import type { Database } from '../../db/client.js';
import type { ChatUser } from '../domain/actor.js';
import { recordChatActivities } from './accrual-repository.js';
import { safeError } from './redact.js';

export interface ChatActivityRecorder {
  record(message: IncomingMessage): void;
  /** Writes what is buffered and stops the timer. */
  stop(): Promise<void>;
}

export function createChatActivityRecorder(deps: {
  db: Database;
  logger: Logger;
  /** Channel login → id (null: not a channel of ours; its lines are dropped). */
  channelId: (login: string) => Promise<number | null>;
  flushMs?: number;
}): ChatActivityRecorder {
  let pending = new Map<string, Map<string, { user: ChatUser; at: Date }>>();
  let flushing: Promise<void> = Promise.resolve();

  async function write(batch: Map<string, Map<string, { user: ChatUser; at: Date }>>): Promise<void> {
    for (const [login, viewers] of batch) {
      try {
        const id = await deps.channelId(login);
        if (id !== null) await recordChatActivities(deps.db, id, [...viewers.values()]);
      } catch (err) {
        deps.logger.warn({ err: safeError(err), channel: login, viewers: viewers.size }, 'chat activity not recorded');
      }
    }
  }

  const flush = (): Promise<void> => {
    if (pending.size === 0) return flushing;
    const batch = pending;
    pending = new Map();
    flushing = flushing.then(() => write(batch));
    return flushing;
  };
  const timer = setInterval(() => void flush(), deps.flushMs ?? 2_000);
  timer.unref();

  return {
    record(message) {
      let viewers = pending.get(message.channel);
      if (!viewers) pending.set(message.channel, (viewers = new Map()));
      viewers.set(message.user.userId, { user: message.user, at: new Date(message.at) });
    },
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
