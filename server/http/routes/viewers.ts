/**
 * The viewer search and one viewer's pledges. The search lists every viewer of a channel with
 * their balance, which nobody outside the channel's team needs, so it takes the dashboard's roles
 * (owner, moderator, admin); a viewer's pledges are public like the rest of their history.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchViewers, viewerPledges } from '../../services/viewer-reads.js';
import { requireChannelMember } from '../auth/guards.js';
import { ChannelParams, ErrorResponse, ListOf, LoginParam, StrictObject, WriteErrors } from '../schemas/common.js';
import { Viewer } from '../schemas/resources.js';
import { ViewerPledge, ViewerPledgesQuery, ViewerSearchQuery } from '../schemas/viewers.js';
import { numericCursor, type RouteServices } from './context.js';

const ViewerParams = StrictObject({ channel: ChannelParams.properties.channel, login: LoginParam });

export function viewerRoutes(services: RouteServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/channels/:channel/viewers',
      {
        schema: {
          tags: ['viewers'],
          params: ChannelParams,
          querystring: ViewerSearchQuery,
          response: { 200: ListOf(Viewer), ...WriteErrors },
          security: [{ bearer: [] }],
        },
      },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        requireChannelMember(request, channel);
        return searchViewers(services.db, channel, {
          q: (request.query.q ?? '').trim(),
          cursor: request.query.cursor,
          limit: request.query.limit ?? 20,
        });
      },
    );

    app.get(
      '/channels/:channel/viewers/:login/pledges',
      {
        schema: {
          tags: ['viewers'],
          params: ViewerParams,
          querystring: ViewerPledgesQuery,
          response: { 200: ListOf(ViewerPledge), 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        const page = await viewerPledges(services.db, channel, request.params.login, {
          before: numericCursor(request.query.cursor, Number.MAX_SAFE_INTEGER),
          limit: request.query.limit ?? 50,
        });
        return { items: page.items, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
      },
    );
  };
}
