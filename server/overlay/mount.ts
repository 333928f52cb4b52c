/** Builds the overlay hub over the runtime's event bus and mounts the overlay page and websocket. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Runtime } from '../runtime.js';
import { createOverlayHub, SHUTDOWN_CLOSE, type OverlayHub, type OverlayHubOptions } from './hub.js';
import { overlayKeyMatches } from './key.js';
import overlayRoutes, { CLOSE_INVALID_KEY } from './routes.js';

export const OVERLAY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../overlay');
/** Overlay clients only send tiny control frames; the ws default (100 MiB) invites abuse. */
const MAX_CLIENT_FRAME = 64 * 1024;
/**
 * How long a socket being closed may take to answer the close frame before it is destroyed. The
 * ws default (30 s) held the server's shutdown that long for one overlay that never answers (an
 * OBS machine gone to sleep, a stalled page), since the HTTP server waits for every socket.
 */
const CLOSE_HANDSHAKE_MS = 2_000;
/**
 * ws server options (`closeTimeout` is one its type definitions do not list yet). `autoPong` off:
 * the hub answers protocol pings itself, within its ping budget and queue limits.
 */
const SOCKET_OPTIONS = { maxPayload: MAX_CLIENT_FRAME, closeTimeout: CLOSE_HANDSHAKE_MS, autoPong: false };

/** The hub's abuse limits that deployments and tests may change. */
export type OverlayLimits = Pick<OverlayHubOptions, 'pingBurst' | 'maxSocketsPerChannel' | 'maxSocketsPerAddress'>;

export function createRuntimeOverlayHub(runtime: Runtime, limits: OverlayLimits = {}): OverlayHub {
  return createOverlayHub({
    ...limits,
    bus: runtime.bus,
    logger: runtime.logger,
    async loadSnapshot(login) {
      const channel = await runtime.services.channels.get(login);
      const missions = await runtime.services.missions.active(channel);
      return { missions, currencyName: channel.settings.currencyName, locale: channel.settings.locale };
    },
  });
}

/** The root plugin: websocket support, the overlay routes, and the hub's lifecycle and metrics. */
export function overlayPlugin(runtime: Runtime, hub: OverlayHub): FastifyPluginAsync {
  return fp(
    async (app) => {
      await app.register(websocket, {
        options: SOCKET_OPTIONS,
        // On shutdown every socket, attached to the hub or still being authorised, hears 1001
        // "going away" (the page reconnects, with jitter), not the plugin's close without a code.
        preClose(done) {
          hub.close();
          for (const socket of this.websocketServer.clients) socket.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
          done();
        },
      });
      await app.register(overlayRoutes, {
        hub,
        overlayDir: OVERLAY_DIR,
        async verifyKey(login, key) {
          const channel = await runtime.services.channels.get(login).catch(() => null);
          // Compare even for unknown channels, so timing does not reveal which channels exist.
          return overlayKeyMatches(channel?.overlayKey ?? null, key) && channel !== null;
        },
      });
      runtime.metrics.setWebsocketClientsSource(() => hub.clientCount());
      // Events published while the bus was reconnecting are gone; give every overlay a snapshot.
      const stopResync = runtime.onBusResubscribed(() => hub.resyncAll());
      app.addHook('onClose', async () => {
        stopResync();
        hub.close();
      });
    },
    { name: 'mission-link-overlay' },
  );
}

export const disconnectRotated = (hub: OverlayHub) => (channel: string) =>
  hub.disconnectChannel(channel, CLOSE_INVALID_KEY, 'overlay key rotated');
