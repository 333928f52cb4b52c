/**
 * OpenAPI 3 document built from the route schemas, served at `/docs/json` with a UI at `/docs`.
 * Must be registered before the routes so its `onRoute` hook sees them.
 */
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export interface SwaggerOptions {
  publicUrl: string;
  version?: string;
}

export const swaggerPlugin = fp<SwaggerOptions>(
  async (app: FastifyInstance, options) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'Mission Link API',
          description:
            'Chat missions with an escrow ledger. Reads are public; writes need a bearer token ' +
            '(admin, per-channel dashboard, or the bot service token acting for a chat user). ' +
            'Errors are `{ "error": { "code", "message" } }`.',
          version: options.version ?? '0.1.0',
        },
        // Relative: "Try it out" calls the address the page was opened at (127.0.0.1, localhost or
        // a LAN address alike); an absolute PUBLIC_URL would make other addresses cross-origin.
        servers: [{ url: '/' }],
        components: {
          securitySchemes: {
            bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN or an ml_… API token' },
          },
        },
      },
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      // The UI's own policy (its inline scripts by hash), without `upgrade-insecure-requests`,
      // which would send a plain-http instance's assets to https, and without https: styles and fonts.
      staticCSP: true,
      transformStaticCSP: (header) =>
        header.replace(/\s*upgrade-insecure-requests;?/, '').replace(/ https:/g, '').replace(/ validator\.swagger\.io/, ''),
      uiConfig: { validatorUrl: null },
    });
  },
  { name: 'mission-link-swagger', fastify: '5.x' },
);
