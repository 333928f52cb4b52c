/**
 * The parts of the Twitch integration the services are built with: the integration itself (when
 * TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET are set), its Helix client, the channel service's
 * broadcaster resolver and creation announcement, and the user lookup a moderator's grant uses.
 * The runtime builds this before the services and passes it in, so no service is replaced once
 * the roles can see it. Starting it (loading tokens, validating them) is the wiring's job.
 */
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { TwitchChangedEvent, TwitchEventChannel } from '../events/types.js';
import type { ChannelServiceOptions } from '../services/channels.js';
import type { TwitchUserLookup } from '../services/index.js';
import { createHelix, type Helix } from './helix.js';
import { createTwitchIntegration, type TwitchIntegration } from './integration.js';
import { safeError } from './redact.js';

export interface TwitchEdge {
  integration: TwitchIntegration;
  helix: Helix;
  /** For the channel service: broadcaster ids resolved on creation, and creation announced. */
  channels: Pick<ChannelServiceOptions, 'resolveBroadcaster' | 'onResolveError' | 'onCreated'>;
  /** Lets a moderator give points to a viewer who has not chatted yet. */
  users: TwitchUserLookup;
}

export interface TwitchEdgeDeps {
  config: Config;
  db: Database;
  logger: Logger;
  bus: Pick<TwitchEventChannel, 'publishTwitch'>;
  now: () => Date;
  /** Backoff for refreshes that failed for a transient reason (tests shorten it). */
  refreshRetry?: { baseMs: number; maxMs: number };
}

/** Announces a Twitch set-up change to every process, this one included; a failed publish is logged. */
export function twitchChangePublisher(deps: Pick<TwitchEdgeDeps, 'bus' | 'now' | 'logger'>) {
  return (event: Omit<TwitchChangedEvent, 'type' | 'at'>): void => {
    deps.bus
      .publishTwitch({ type: 'twitch', at: deps.now().toISOString(), ...event })
      .catch((err: unknown) => deps.logger.warn({ err: safeError(err) }, 'Twitch set-up change not published'));
  };
}

/** Null when the Twitch app credentials are not configured: everything Twitch-specific then stays off. */
export function createTwitchEdge(deps: TwitchEdgeDeps): TwitchEdge | null {
  const { config, db, logger } = deps;
  const integration = createTwitchIntegration({ config, db, logger, refreshRetry: deps.refreshRetry });
  if (!integration) return null;
  const helix = createHelix(integration);
  const publish = twitchChangePublisher(deps);
  return {
    integration,
    helix,
    channels: {
      resolveBroadcaster: async (login) => {
        const user = await helix.userByLogin(login);
        return user ? { id: user.id, displayName: user.displayName } : null;
      },
      onResolveError: (login, err) => logger.warn({ login, err: safeError(err) }, 'broadcaster id not resolved; will retry'),
      // The bot joins and the worker schedules accrual and redemptions at once, in every process.
      onCreated: (channel) => publish({ change: 'channel', channel: channel.login }),
    },
    users: {
      byLogin: async (login) => {
        const user = await helix.userByLogin(login);
        return user ? { userId: user.id, login: user.login, displayName: user.displayName } : null;
      },
    },
  };
}
