/** The audit trail of a channel, newest first. Private: its owner, its moderators and the admin. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseTimeRange } from '../../domain/export-range.js';
import { requireChannelMember } from '../auth/guards.js';
import { ActivityList, ActivityQuery } from '../schemas/activity.js';
import { ChannelParams, ErrorResponse } from '../schemas/common.js';
import type { RouteServices } from './context.js';

export function activityRoutes(services: RouteServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/channels/:channel/activity',
      {
        schema: {
          tags: ['activity'],
          summary: "A channel's audit trail: who did what, newest first",
          params: ChannelParams,
          querystring: ActivityQuery,
          response: { 200: ActivityList, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
          security: [{ bearer: [] }],
        },
      },
      async (request, reply) => {
        const channel = await services.channels.get(request.params.channel);
        requireChannelMember(request, channel);
        const q = request.query;
        const range = parseTimeRange(['since', q.since], ['until', q.until]);
        const since = range.from ?? undefined;
        const until = range.to ?? undefined;
        reply.header('cache-control', 'no-store');
        return services.activity.list(channel.id, {
          ...(q.action === undefined ? {} : { action: q.action }),
          ...(q.source === undefined ? {} : { source: q.source }),
          ...(q.actor === undefined ? {} : { actorLogin: q.actor }),
          ...(q.mission === undefined ? {} : { missionNumber: q.mission }),
          ...(since === undefined ? {} : { since }),
          ...(until === undefined ? {} : { until }),
          ...(q.cursor === undefined ? {} : { cursor: q.cursor }),
          ...(q.limit === undefined ? {} : { limit: q.limit }),
        });
      },
    );
  };
}
