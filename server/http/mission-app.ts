/** The Mission Link HTTP app: the app shell plus the domain routes and the overlay. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createRuntimeOverlayHub, disconnectRotated, overlayPlugin } from '../overlay/mount.js';
import type { Runtime } from '../runtime.js';
import { buildApp, type AppDeps } from './app.js';
import { dashboardStaticPlugin } from './plugins/dashboard-static.js';
import { channelRoutes } from './routes/channels.js';
import { missionRoutes } from './routes/missions.js';
import type { RouteServices } from './routes/context.js';

export interface MissionAppOptions {
  /** Extra root plugins. */
  plugins?: FastifyPluginAsync[];
  /** Per-token/IP limits; load tests that open thousands of sockets from one address turn them off. */
  rateLimit?: AppDeps['rateLimit'];
}

export async function buildMissionApp(runtime: Runtime, options: MissionAppOptions = {}): Promise<FastifyInstance> {
  const hub = createRuntimeOverlayHub(runtime);
  const services: RouteServices = {
    db: runtime.db.db,
    ...runtime.services,
    publicUrl: runtime.config.publicUrl,
    onOverlayKeyRotated: disconnectRotated(hub),
  };
  return buildApp({
    config: runtime.config,
    db: runtime.db,
    logger: runtime.logger,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
    routes: [channelRoutes(services), missionRoutes(services)],
    plugins: [overlayPlugin(runtime, hub), ...(options.plugins ?? []), dashboardStaticPlugin()],
    rateLimit: options.rateLimit,
    dashboardFeatures: () => ({
      twitchLogin: Boolean(runtime.config.twitch.clientId && runtime.config.twitch.clientSecret),
      demo: false,
    }),
  });
}
