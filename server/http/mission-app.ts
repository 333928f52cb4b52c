/** The Mission Link HTTP app: the app shell plus the domain routes and the overlay. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { OverlayHub } from '../overlay/hub.js';
import { createRuntimeOverlayHub, disconnectRotated, overlayPlugin, type OverlayLimits } from '../overlay/mount.js';
import { setupRoutes } from '../setup/routes.js';
import type { Runtime } from '../runtime.js';
import { createBoardView } from '../services/board-view.js';
import type { DemoChat } from '../board/demo-chat.js';
import { createBoardFeed } from '../board/feed.js';
import { boardRoutes } from '../board/routes.js';
import { createPublicFeed, publicBoardRoutes } from '../board/public-routes.js';
import type { FeedLimits } from '../board/feed.js';
import { API_PREFIX, buildApp, type AppDeps } from './app.js';
import { dashboardStaticPlugin } from './plugins/dashboard-static.js';
import { activityRoutes } from './routes/activity.js';
import { channelRoutes } from './routes/channels.js';
import { exportRoutes } from './routes/exports.js';
import { missionRoutes } from './routes/missions.js';
import { viewerRoutes } from './routes/viewers.js';
import type { RouteServices } from './routes/context.js';

export interface MissionAppOptions {
  /** The demo chat panel's simulator link (`npm run demo` only). */
  demoChat?: DemoChat;
  /** The bot of this process, for the setup checklist; null (or absent) when it runs elsewhere. */
  bot?: () => { running: boolean; channels: readonly string[] } | null;
  /** Extra root plugins. */
  plugins?: FastifyPluginAsync[];
  /** Per-token/IP limits; load tests that open thousands of sockets from one address turn them off. */
  rateLimit?: AppDeps['rateLimit'];
  /** Overlay ping budget and socket caps (defaults in server/overlay/hub.ts). */
  overlay?: OverlayLimits;
  /** The public board feed's socket caps (defaults in server/board/public-routes.ts). */
  publicBoard?: Partial<FeedLimits>;
}

export async function buildMissionApp(runtime: Runtime, options: MissionAppOptions = {}): Promise<FastifyInstance> {
  const overlaysSeen = new Set<string>();
  const baseHub = createRuntimeOverlayHub(runtime, options.overlay);
  // Remembers which channels had an overlay connect, for the checklist's "overlay added to OBS".
  const hub: OverlayHub = {
    ...baseHub,
    attach(channel, socket, sink, address) {
      overlaysSeen.add(channel);
      baseHub.attach(channel, socket, sink, address);
    },
  };
  const { channels } = runtime.services;
  const view = createBoardView(runtime.db.db, channels);
  const feed = createBoardFeed({
    bus: runtime.bus,
    logger: runtime.logger,
    loadSnapshot: (login, viewer) => view.snapshot(login, viewer),
    async enrich(login, message) {
      const number = message.type === 'pledge' ? message.missionNumber : message.mission.number;
      const topBackers = await view.topBackersOf(login, number);
      if (message.type !== 'resolved') return { topBackers };
      // After a verdict the treasury or the wallets changed: boards show the totals without a re-read.
      const channel = await channels.get(login);
      return { topBackers, totals: await channels.totals(channel.id) };
    },
  });
  // The public board gets the missions' top backers only: nothing a viewer of the page should not see.
  const publicFeed = createPublicFeed({
    bus: runtime.bus,
    logger: runtime.logger,
    limits: options.publicBoard,
    loadSnapshot: (login) => view.publicSnapshot(login),
    async enrich(login, message) {
      const number = message.type === 'pledge' ? message.missionNumber : message.mission.number;
      return { topBackers: await view.topBackersOf(login, number) };
    },
  });
  const publicBoard = publicBoardRoutes({
    prefix: API_PREFIX,
    feed: publicFeed,
    view,
    channels,
    db: runtime.db.db,
    // Read at call time, like the channels: the wiring may replace the runtime's services.
    missions: { pledge: (...args) => runtime.services.missions.pledge(...args) },
    viewers: { byUserId: (...args) => runtime.services.viewers.byUserId(...args) },
  });
  const services: RouteServices = {
    db: runtime.db.db,
    ...runtime.services,
    publicUrl: runtime.config.publicUrl,
    onOverlayKeyRotated: disconnectRotated(hub),
  };
  const setup = setupRoutes({
    prefix: API_PREFIX,
    config: runtime.config,
    db: runtime.db.db,
    channels,
    bot: options.bot ?? (() => null),
    overlays: { connected: (login) => hub.clientCount(login), seen: (login) => overlaysSeen.has(login) },
  });
  const board = boardRoutes({ prefix: API_PREFIX, feed, view, hub, channels, demoChat: options.demoChat, now: runtime.now });
  return buildApp({
    config: runtime.config,
    db: runtime.db,
    logger: runtime.logger,
    readiness: runtime.readiness,
    metrics: runtime.metrics,
    routes: [channelRoutes(services), missionRoutes(services), viewerRoutes(services), exportRoutes(services, runtime.now), activityRoutes(services)],
    plugins: [overlayPlugin(runtime, hub), board, publicBoard, setup, ...(options.plugins ?? []), dashboardStaticPlugin()],
    rateLimit: options.rateLimit,
    dashboardFeatures: () => ({
      twitchLogin: Boolean(runtime.config.twitch.clientId && runtime.config.twitch.clientSecret),
      demo: options.demoChat !== undefined,
    }),
  });
}
