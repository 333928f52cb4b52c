/** Builds every domain service from its dependencies. */
import { createChannelService } from './channels.js';
import type { ServiceDeps } from './context.js';
import { createMissionService } from './missions.js';
import type { PledgeBatcherOptions } from './pledge-batcher.js';
import { createVerdictService } from './verdicts.js';
import { createViewerService } from './viewers.js';

export interface ServiceOptions {
  pledgeBatcher?: PledgeBatcherOptions;
}

export function createServices(deps: ServiceDeps, options: ServiceOptions = {}) {
  return {
    channels: createChannelService(deps.db, { events: deps }),
    viewers: createViewerService(deps.db),
    missions: createMissionService(deps, options.pledgeBatcher),
    verdicts: createVerdictService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
