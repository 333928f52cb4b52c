/** Builds every domain service from its dependencies. */
import type { ChatUser } from '../domain/actor.js';
import { createActivityService } from './activity.js';
import { createChannelService } from './channels.js';
import type { ServiceDeps } from './context.js';
import { createMissionService } from './missions.js';
import type { PledgeBatcherOptions } from './pledge-batcher.js';
import { createVerdictService } from './verdicts.js';
import { createViewerService } from './viewers.js';

/** Twitch's user lookup (Helix Get Users), when a Twitch app is configured. */
export interface TwitchUserLookup {
  byLogin(login: string): Promise<ChatUser | null>;
}

export interface ServiceOptions {
  pledgeBatcher?: PledgeBatcherOptions;
}

export function createServices(deps: ServiceDeps, options: ServiceOptions = {}) {
  return {
    channels: createChannelService(deps.db, { events: deps }),
    viewers: createViewerService(deps.db),
    missions: createMissionService(deps, options.pledgeBatcher),
    verdicts: createVerdictService(deps),
    activity: createActivityService(deps.db),
    /** Set by the Twitch wiring; lets a moderator give points to a viewer who has not chatted yet. */
    twitchUsers: undefined as TwitchUserLookup | undefined,
  };
}

export type Services = ReturnType<typeof createServices>;
