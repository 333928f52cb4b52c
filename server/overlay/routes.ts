import type {} from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { OverlayHub } from './hub.js';
import { MAX_OVERLAY_KEY_LENGTH } from './key.js';
import { rawFrameSink } from './raw-frame-sink.js';
import { loadStaticAssets, resolveAsset } from './static-assets.js';
import { isTwitchLogin } from '../domain/twitch-login.js';

export interface OverlayRoutesOptions {
  hub: OverlayHub;
  /** Must compare in constant time (see `overlayKeyMatches`); false for unknown channels. */
  verifyKey(channel: string, key: string): Promise<boolean>;
  /** Folder holding index.html, overlay.css and overlay.js. */
  overlayDir: string;
}

/** The overlay websocket's route (the rate limiter gives its connects their own budget). */
export const OVERLAY_SOCKET_ROUTE = '/ws/overlay/:channel';
/** Close code for a wrong or rotated key; the page clears its board and retries slowly. */
export const CLOSE_INVALID_KEY = 4401;
/** Frames kept from before the key check finished; a real overlay sends at most one or two. */
const MAX_EARLY_FRAMES = 8;

/**
 * No inline script or style, nothing from another origin: the page works on an offline OBS
 * machine and a mission text can never become code. `connect-src 'self'` covers ws(s) to the
 * same host in Chromium, which is what OBS embeds.
 */
export const OVERLAY_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': OVERLAY_CSP,
  // The URL holds the key: no caching by proxies, no leaking it through Referer.
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const errorPage = (title: string, detail: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
  `<link rel="stylesheet" href="assets/overlay.css"></head>` +
  `<body class="overlay-error"><div class="error-card"><strong>${title}</strong><p>${detail}</p></div></body></html>`;

const UNAUTHORIZED_PAGE = errorPage(
  'Overlay key not valid',
  'Copy the overlay URL from the Mission Link dashboard again; the key may have been rotated.',
);
const NOT_FOUND_PAGE = errorPage('Overlay not found', 'Check the channel name in the overlay URL.');
const UNAVAILABLE_PAGE = errorPage('Overlay unavailable', 'The server could not check the key; reload in a moment.');

const normaliseChannel = (raw: string): string | null => {
  const channel = raw.toLowerCase();
  return isTwitchLogin(channel) ? channel : null;
};

const keyFrom = (query: unknown): string | null => {
  const key = (query as { key?: unknown } | null)?.key;
  return typeof key === 'string' && key.length > 0 && key.length <= MAX_OVERLAY_KEY_LENGTH ? key : null;
};

const overlayRoutes: FastifyPluginAsync<OverlayRoutesOptions> = async (app, options) => {
  const { hub, verifyKey, overlayDir } = options;
  const assets = loadStaticAssets(overlayDir);
  const indexHtml = assets.get('index.html');
  if (indexHtml === undefined) throw new Error(`overlay page missing: ${overlayDir}/index.html`);

  const sendPage = (reply: FastifyReply, status: number, body: string | Buffer): FastifyReply =>
    reply.code(status).headers(PAGE_HEADERS).send(body);

  app.get<{ Params: { channel: string }; Querystring: Record<string, unknown> }>(
    '/overlay/:channel',
    async (request, reply) => {
      const channel = normaliseChannel(request.params.channel);
      if (channel === null) return sendPage(reply, 404, NOT_FOUND_PAGE);
      const key = keyFrom(request.query);
      let valid = false;
      try {
        valid = key !== null && (await verifyKey(channel, key));
      } catch (error) {
        request.log.error({ err: error, channel }, 'overlay key check failed');
        return sendPage(reply, 503, UNAVAILABLE_PAGE);
      }
      if (!valid) return sendPage(reply, 401, UNAUTHORIZED_PAGE);
      return sendPage(reply, 200, indexHtml.body);
    },
  );

  app.get<{ Params: { '*': string } }>('/overlay/assets/*', async (request, reply) => {
    const asset = resolveAsset(assets, request.params['*']);
    reply.header('x-content-type-options', 'nosniff').header('cross-origin-resource-policy', 'same-origin');
    if (asset === null) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    // Unversioned file names: revalidate every time, answered with 304 when nothing changed.
    reply.header('cache-control', 'no-cache').header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.contentType).send(asset.body);
  });

  app.get<{ Params: { channel: string }; Querystring: Record<string, unknown> }>(
    OVERLAY_SOCKET_ROUTE,
    { websocket: true },
    async (socket, request) => {
      // Frames that arrive while the key is checked would be lost (no listener yet): hold a few
      // and hand them to the hub after it attaches, so a client may speak as soon as it is open.
      const early: Array<[unknown, boolean]> = [];
      const hold = (data: unknown, isBinary: boolean) => {
        if (early.length < MAX_EARLY_FRAMES) early.push([data, isBinary]);
      };
      socket.on('message', hold);
      const channel = normaliseChannel(request.params.channel);
      const key = keyFrom(request.query);
      let valid = false;
      try {
        valid = channel !== null && key !== null && (await verifyKey(channel, key));
      } catch (error) {
        request.log.error({ err: error, channel }, 'overlay key check failed');
        socket.close(1011, 'try again later');
        return;
      }
      if (!valid || channel === null) {
        socket.close(CLOSE_INVALID_KEY, 'invalid overlay key');
        return;
      }
      // The client may have gone while the key was checked; attaching it would leak a load.
      if (socket.readyState !== socket.OPEN) return;
      socket.off('message', hold);
      hub.attach(channel, socket, rawFrameSink(socket, request.raw.socket), request.ip);
      for (const [data, isBinary] of early) socket.emit('message', data, isBinary);
    },
  );
};

/**
 * Overlay page, its assets and its websocket. Register after `@fastify/websocket`. The app should
 * redact `key` from request logs (`redactOverlayKey`) since the URLs carry it.
 */
export default fp(overlayRoutes, {
  name: 'overlay-routes',
  fastify: '5.x',
  dependencies: ['@fastify/websocket'],
});
