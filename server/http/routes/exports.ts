/** The accountant's CSV exports of a channel: ledger journal, missions, pledges. Owner or admin only. */
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parseExportRange } from '../../domain/export-range.js';
import { EXPORT_KINDS, exportFilename, openExport } from '../../services/exports.js';
import { requireOwnerOrAdmin } from '../auth/guards.js';
import { ChannelParams, WriteErrors } from '../schemas/common.js';
import type { RouteServices } from './context.js';

const RangeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or timestamp, inclusive, on the creation time' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'ISO 8601 date or timestamp, exclusive' })),
  },
  { additionalProperties: false },
);

export function exportRoutes(services: RouteServices, now: () => Date): FastifyPluginAsyncTypebox {
  return async (app) => {
    for (const kind of EXPORT_KINDS) {
      app.get(
        `/channels/:channel/exports/${kind}.csv`,
        {
          schema: {
            tags: ['exports'],
            params: ChannelParams,
            querystring: RangeQuery,
            response: { 200: Type.Unknown({ description: 'CSV, UTF-8 with a byte order mark' }), ...WriteErrors },
            security: [{ bearer: [] }],
          },
        },
        async (request, reply) => {
          const channel = await services.channels.get(request.params.channel);
          requireOwnerOrAdmin(request, channel);
          const range = parseExportRange(request.query.from, request.query.to);
          const filename = exportFilename(channel.login, kind, now());
          const csv = await openExport(services.db, { kind, channelId: channel.id, range });
          return reply
            .header('content-type', 'text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${filename}"`)
            .header('cache-control', 'no-store')
            .send(Readable.from(csv));
        },
      );
    }
  };
}
