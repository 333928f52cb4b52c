/** Channel, settings, viewer, leaderboard, ledger and audit routes. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { isModerator } from '../../domain/actor.js';
import { MAX_INT4 } from '../../domain/bounds.js';
import { errors } from '../../domain/errors.js';
import type { ChannelSettings } from '../../domain/settings.js';
import { journalPage, missionEscrowId } from '../../services/ledger-journal.js';
import { viewerWalletId } from '../../services/viewer-reads.js';
import { auditChannel } from '../../services/ledger-audit.js';
import type { Channel as ChannelModel } from '../../services/channels.js';
import { canSeeSecrets, requireActor, requireAdmin, requireOwnerOrAdmin } from '../auth/guards.js';
import { ChannelParams, ErrorResponse, ListOf, LoginParam, PlainText, StrictObject, WriteErrors, Amount } from '../schemas/common.js';
import { Channel, LedgerRow, SettingsPatch, Viewer } from '../schemas/resources.js';
import { idempotencyOf, numericCursor, type RouteServices } from './context.js';

const CreateChannelBody = StrictObject({
  login: Type.String({ pattern: '^[a-zA-Z0-9_]{2,25}$' }),
  broadcasterId: Type.Optional(Type.String({ pattern: '^[0-9]{1,20}$' })),
  displayName: Type.Optional(PlainText({ minLength: 1, maxLength: 64 })),
  settings: Type.Optional(SettingsPatch),
});
const ViewerParams = StrictObject({ channel: ChannelParams.properties.channel, login: LoginParam });
/** `reason`: why a moderator gives or takes, kept in the audit trail (the dashboard asks for one). */
const PointsBody = StrictObject({ amount: Amount, reason: Type.Optional(PlainText({ minLength: 1, maxLength: 200 })) });

const ViewerWithHistory = Type.Composite([
  Viewer,
  Type.Object({
    history: Type.Array(
      Type.Object({
        id: Type.Integer(),
        amount: Type.Integer(),
        kind: Type.String(),
        direction: Type.Union([Type.Literal('in'), Type.Literal('out')]),
        missionNumber: Type.Union([Type.Integer(), Type.Null()]),
        createdAt: Type.String(),
      }),
    ),
  }),
]);

const AuditResponse = Type.Object({
  ok: Type.Boolean(),
  violations: Type.Array(Type.Object({ invariant: Type.Integer(), message: Type.String() }, { additionalProperties: true })),
});

export function channelRoutes(services: RouteServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    async function present(request: FastifyRequest, channel: ChannelModel) {
      const totals = await services.channels.totals(channel.id);
      const secrets = canSeeSecrets(request, channel);
      return {
        login: channel.login,
        broadcasterId: channel.broadcasterId,
        displayName: channel.displayName,
        missionsPaused: channel.missionsPaused,
        settings: channel.settings,
        totals,
        ...(secrets
          ? {
              overlayKey: channel.overlayKey,
              overlayUrl: `${services.publicUrl}/overlay/${channel.login}?key=${encodeURIComponent(channel.overlayKey)}`,
            }
          : {}),
      };
    }

    app.post(
      '/channels',
      { schema: { tags: ['channels'], body: CreateChannelBody, response: { 201: Channel, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const actor = requireAdmin(request);
        const channel = await services.channels.create(
          { ...request.body, settings: request.body.settings as Partial<ChannelSettings> | undefined },
          actor,
        );
        return reply.code(201).send(await present(request, channel));
      },
    );

    app.get(
      '/channels/:channel',
      { schema: { tags: ['channels'], params: ChannelParams, response: { 200: Channel, 404: ErrorResponse } } },
      async (request) => present(request, await services.channels.get(request.params.channel)),
    );

    app.patch(
      '/channels/:channel/settings',
      { schema: { tags: ['channels'], params: ChannelParams, body: SettingsPatch, response: { 200: Channel, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        const actor = requireOwnerOrAdmin(request, channel);
        const updated = await services.channels.updateSettings(channel.login, request.body as Partial<ChannelSettings>, actor);
        return present(request, updated);
      },
    );

    app.post(
      '/channels/:channel/overlay-key',
      { schema: { tags: ['channels'], params: ChannelParams, response: { 200: Channel, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        const actor = requireOwnerOrAdmin(request, channel);
        const rotated = await services.channels.rotateOverlayKey(channel.login, actor);
        services.onOverlayKeyRotated?.(channel.login);
        return present(request, rotated);
      },
    );

    for (const [path, paused] of [['pause', true], ['resume', false]] as const) {
      app.post(
        `/channels/:channel/${path}`,
        { schema: { tags: ['channels'], params: ChannelParams, response: { 200: Channel, ...WriteErrors }, security: [{ bearer: [] }] } },
        async (request) => {
          const channel = await services.channels.get(request.params.channel);
          const actor = requireActor(request, channel);
          if (!isModerator(actor)) throw errors.forbidden('Only moderators can pause or resume missions');
          return present(request, await services.channels.setPaused(channel.login, paused, actor));
        },
      );
    }

    app.get(
      '/channels/:channel/viewers/:login',
      { schema: { tags: ['viewers'], params: ViewerParams, response: { 200: ViewerWithHistory, 404: ErrorResponse } } },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        const viewer = await services.viewers.byLogin(channel, request.params.login);
        return { ...viewer, history: await services.viewers.history(channel, viewer.userId) };
      },
    );

    for (const direction of ['give', 'take'] as const) {
      app.post(
        `/channels/:channel/viewers/:login/${direction}`,
        { schema: { tags: ['viewers'], params: ViewerParams, body: PointsBody, response: { 200: Viewer, ...WriteErrors }, security: [{ bearer: [] }] } },
        async (request) => {
          const channel = await services.channels.get(request.params.channel);
          const actor = requireActor(request, channel);
          const { viewer } = await services.viewers.adjust(
            channel,
            { target: { login: request.params.login }, amount: request.body.amount, direction, reason: request.body.reason ?? null },
            actor,
            idempotencyOf(request, channel, actor),
          );
          return viewer;
        },
      );
    }

    app.get(
      '/channels/:channel/leaderboard',
      {
        schema: {
          tags: ['viewers'],
          params: ChannelParams,
          querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }),
          response: { 200: Type.Object({ items: Type.Array(Viewer) }), 404: ErrorResponse },
        },
      },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        return { items: await services.viewers.leaderboard(channel, request.query.limit ?? 10) };
      },
    );

    app.get(
      '/channels/:channel/ledger',
      {
        schema: {
          tags: ['ledger'],
          params: ChannelParams,
          querystring: Type.Object({
            cursor: Type.Optional(Type.String({ maxLength: 20 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            mission: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INT4, description: "Only this mission's pledges, refunds and payouts" })),
            /** Only the transfers into or out of this viewer's wallet. */
            viewer: Type.Optional(LoginParam),
          }),
          response: { 200: ListOf(LedgerRow), 400: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        const after = numericCursor(request.query.cursor, Number.MAX_SAFE_INTEGER) ?? 0;
        const limit = request.query.limit ?? 100;
        const { mission, viewer } = request.query;
        if (mission !== undefined && viewer !== undefined) throw errors.validation('querystring: give mission or viewer, not both');
        const account =
          mission !== undefined
            ? await missionEscrowId(services.db, channel.id, mission)
            : viewer !== undefined
              ? await viewerWalletId(services.db, channel, viewer)
              : undefined;
        const rows = await journalPage(services.db, channel.id, after, limit + 1, { account });
        const page = rows.slice(0, limit);
        const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
        return {
          items: page.map((r) => ({
            id: Number(r.id),
            from: { account: Number(r.from_id), kind: String(r.from_kind), userId: (r.from_user as string | null) ?? null, missionNumber: num(r.from_mission) },
            to: { account: Number(r.to_id), kind: String(r.to_kind), userId: (r.to_user as string | null) ?? null, missionNumber: num(r.to_mission) },
            amount: Number(r.amount),
            kind: String(r.kind),
            missionNumber: num(r.mission_number),
            pledgeId: num(r.pledge_id),
            actor: (r.actor as string | null) ?? null,
            createdAt: new Date(r.created_at as string).toISOString(),
          })),
          nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
        };
      },
    );

    app.get(
      '/channels/:channel/audit',
      { schema: { tags: ['ledger'], params: ChannelParams, response: { 200: AuditResponse, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request) => {
        const channel = await services.channels.get(request.params.channel);
        requireOwnerOrAdmin(request, channel);
        return auditChannel(services.db, channel.id);
      },
    );
  };
}
