/**
 * A short-lived cache of channel rows, so a pledge storm does not read the channel (settings,
 * pause flag, locale) once per message. A settings change or a pause published on the event bus
 * invalidates at once (see bot/index.ts), as does the bot's own pause/resume; a change that
 * reaches no bus (a command-line run) shows within `ttlMs`.
 */
import { isDomainError } from '../server/domain/errors.js';
import type { Channel } from '../server/services/channels.js';

export interface ChannelCache {
  /** The channel, or null when it is not set up (also cached, so unknown channels stay cheap). */
  get(login: string): Promise<Channel | null>;
  invalidate(login: string): void;
}

export function createChannelCache(
  load: (login: string) => Promise<Channel>,
  options: { ttlMs: number; now: () => number },
): ChannelCache {
  const entries = new Map<string, { at: number; value: Promise<Channel | null> }>();
  return {
    get(login) {
      const t = options.now();
      const hit = entries.get(login);
      if (hit && t - hit.at < options.ttlMs) return hit.value;
      // Concurrent callers share one load; a failed load is not cached.
      const value = load(login).catch((err: unknown) => {
        if (isDomainError(err) && err.code === 'CHANNEL_NOT_FOUND') return null;
        entries.delete(login);
        throw err;
      });
      entries.set(login, { at: t, value });
      return value;
    },
    invalidate(login) {
      entries.delete(login);
    },
  };
}
