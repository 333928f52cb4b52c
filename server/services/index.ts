/** Builds every domain service from its dependencies. */
import type { ChatUser } from '../domain/actor.js';
import { createActivityService } from './activity.js';
import { createChannelService, type ChannelServiceOptions } from './channels.js';
import type { ServiceDeps } from './context.js';
import { createMissionService } from './missions.js';
import type { PledgeBatcherOptions } from './pledge-batcher.js';
import { createVerdictService } from './verdicts.js';
import { createViewerService } from './viewers.js';

/** Twitch's user lookup (Helix Get Users), when a Twitch app is configured. */
export interface TwitchUserLookup {
  byLogin(login: string): Promise<ChatUser | null>;
}

/** What the Twitch integration gives the services, when a Twitch app is configured. */
export interface TwitchServiceParts {
  /** Resolves a new channel's broadcaster id and announces the channel to every process. */
  channels: Pick<ChannelServiceOptions, 'resolveBroadcaster' | 'onResolveError' | 'onCreated'>;
  users: TwitchUserLookup;
}

export interface ServiceOptions {
  pledgeBatcher?: PledgeBatcherOptions;
  /** Absent without Twitch credentials: channels are created unresolved, grants need a chatter. */
  twitch?: TwitchServiceParts;
}

export function createServices(deps: ServiceDeps, options: ServiceOptions = {}) {
  return {
    channels: createChannelService(deps.db, { events: deps, ...options.twitch?.channels }),
    viewers: createViewerService(deps.db),
    missions: createMissionService(deps, options.pledgeBatcher),
    verdicts: createVerdictService(deps),
    activity: createActivityService(deps.db),
    /** Twitch's user lookup, when configured: lets a moderator give points to a viewer who has not chatted yet. */
    twitchUsers: options.twitch?.users as TwitchUserLookup | undefined,
  };
}

export type Services = ReturnType<typeof createServices>;
