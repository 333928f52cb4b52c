/** Builds the overlay hub over the runtime's event bus and mounts the overlay page and websocket. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Runtime } from '../runtime.js';
import { createOverlayHub, type OverlayHub } from './hub.js';
import { overlayKeyMatches } from './key.js';
import overlayRoutes, { CLOSE_INVALID_KEY } from './routes.js';

export const OVERLAY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../overlay');
/** Overlay clients only send tiny control frames; the ws default (100 MiB) invites abuse. */
const MAX_CLIENT_FRAME = 64 * 1024;

export function createRuntimeOverlayHub(runtime: Runtime): OverlayHub {
  return createOverlayHub({
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
      await app.register(websocket, { options: { maxPayload: MAX_CLIENT_FRAME } });
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
