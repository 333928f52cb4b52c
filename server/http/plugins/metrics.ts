/**
 * Serves `/metrics` from the app's own registry, counts every HTTP request by route pattern
 * (not raw URL, to bound label cardinality), and exposes the metrics as `app.metrics`.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { AppMetrics } from '../../ports/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

export interface MetricsPluginOptions {
  metrics: AppMetrics;
}

export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app: FastifyInstance, { metrics }) => {
    app.decorate('metrics', metrics);

    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });
  },
  { name: 'mission-link-metrics', fastify: '5.x' },
);
