/** Builds every domain service from its dependencies. */
import { createChannelService } from './channels.js';
import type { ServiceDeps } from './context.js';
import { createMissionService } from './missions.js';
import { createVerdictService } from './verdicts.js';
import { createViewerService } from './viewers.js';

export function createServices(deps: ServiceDeps) {
  return {
    channels: createChannelService(deps.db),
    viewers: createViewerService(deps.db),
    missions: createMissionService(deps),
    verdicts: createVerdictService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
