/**
 * Conservative security headers on every response, including errors and 404s.
 * Pages that must be embeddable (the OBS overlay) opt out of the frame ban with route
 * config `{ frameable: true }`; anything under `/overlay` is frameable by default.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Allow this route's responses to be framed (no `X-Frame-Options`). */
    frameable?: boolean;
  }
}

export interface SecurityHeadersOptions {
  /** Send `Strict-Transport-Security` (only when the public URL is https). */
  hsts: boolean;
}

export const securityHeadersPlugin = fp<SecurityHeadersOptions>(
  async (app: FastifyInstance, options) => {
    app.addHook('onSend', async (request, reply, payload) => {
      if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
      if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
      const frameable = request.routeOptions.config?.frameable === true || request.url.startsWith('/overlay');
      if (!frameable && !reply.hasHeader('x-frame-options')) reply.header('x-frame-options', 'DENY');
      if (options.hsts && !reply.hasHeader('strict-transport-security')) {
        reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      }
      return payload;
    });
  },
  { name: 'mission-link-security-headers', fastify: '5.x' },
);
