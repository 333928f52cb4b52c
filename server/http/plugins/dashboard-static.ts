/**
 * Serves the companion dashboard (a single-page app built into `dashboard/dist`) from this
 * process: its hashed assets, and `index.html` for every page path it routes itself (`/`,
 * `/c/...`, `/p/...`). Server routes (`/api`, `/auth`, `/login`, `/ws`, `/overlay`, `/docs`,
 * health and metrics) are matched first, being more specific. When the build is missing (a
 * checkout where `npm start` has not run yet) those pages say how to build it instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { htmlPage } from '../pages.js';

export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');

/**
 * Same-origin only, no inline script: mission text from chat can never become code. Frames:
 * the overlay preview is this server's own `/overlay` page.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Page paths the app routes in the browser. */
const SPA_ROUTES = ['/', '/c/*', '/p/*'];

export interface DashboardStaticOptions {
  /** Folder holding the built `index.html` and `assets/` (default: `dashboard/dist`). */
  dist?: string;
}

export function dashboardStaticPlugin(options: DashboardStaticOptions = {}): FastifyPluginAsync {
  return fp(
    async (app: FastifyInstance) => {
      const dist = options.dist ?? DASHBOARD_DIST;
      const indexFile = path.join(dist, 'index.html');

      // The folder may appear after start-up (built by `npm start` or by hand): checked per request.
      const notBuilt = (reply: FastifyReply) =>
        htmlPage(
          reply,
          503,
          'Dashboard not built yet',
          'The dashboard is built by `npm start` (or by hand: `npm run build:dashboard`), into dashboard/dist. ' +
            'Build it, then reload this page. The API, the overlay and the sign-in links work meanwhile.',
        );

      // An empty folder until the first build, so assets built after start-up are served too
      // (the folder is not in git); where the disk is read-only, the static plugin only warns.
      try {
        fs.mkdirSync(dist, { recursive: true });
      } catch {
        // Serving still works once a build appears; until then the pages say how to build.
      }

      await app.register(fastifyStatic, {
        root: dist,
        prefix: '/',
        index: false,
        wildcard: true,
        cacheControl: false,
        setHeaders(res, filePath) {
          // Vite puts a content hash in every asset name; index.html is what changes between builds.
          const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
          res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      });

      for (const url of SPA_ROUTES) {
        app.get(url, { schema: { hide: true } }, async (_request, reply) => {
          if (!fs.existsSync(indexFile)) return notBuilt(reply);
          return reply.header('cache-control', 'no-cache').header('content-security-policy', DASHBOARD_CSP).sendFile('index.html', dist);
        });
      }
    },
    { name: 'mission-link-dashboard-static', fastify: '5.x' },
  );
}
