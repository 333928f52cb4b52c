/** Mission and pledge routes. Transport only: validate, authorise, call services. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ChatUser } from '../../domain/actor.js';
import { MAX_INT4 } from '../../domain/bounds.js';
import { errors, isDomainError } from '../../domain/errors.js';
import { MISSION_STATUSES, type MissionStatus } from '../../domain/types.js';
import { requireActor } from '../auth/guards.js';
import { ListOf, MissionParams, ChannelParams, PlainText, StrictObject, WriteErrors, ErrorResponse } from '../schemas/common.js';
import { AmountOrShare, DurationInput, Mission, Pledge } from '../schemas/resources.js';
import { reserveIdempotencyKey } from '../../services/transaction.js';
import { idempotencyOf, numericCursor, amountFromBody, secondsFromBody, type RouteServices } from './context.js';
import { TWITCH_LOGIN_ANY_CASE_PATTERN, TwitchLogin } from '../../domain/twitch-login.js';
import { parseTimeRange } from '../../domain/export-range.js';

const ProposerInput = StrictObject({
  userId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_-]+$' }),
  login: TwitchLogin,
  displayName: PlainText({ minLength: 1, maxLength: 64 }),
});

const CreateMissionBody = StrictObject({
  text: Type.String({ minLength: 1, maxLength: 1000 }),
  amount: Type.Optional(AmountOrShare),
  duration: Type.Optional(DurationInput),
  /** Required when the caller is not a chat user (admin or dashboard token). */
  proposer: Type.Optional(ProposerInput),
});

const PledgeBody = StrictObject({ amount: AmountOrShare, viewer: Type.Optional(ProposerInput) });
const ReasonBody = Type.Union([StrictObject({ reason: Type.Optional(PlainText({ maxLength: 500 })) }), Type.Null()]);
const ExtendBody = StrictObject({ duration: DurationInput });

const LoginFilter = (description: string) => Type.Optional(Type.String({ pattern: TWITCH_LOGIN_ANY_CASE_PATTERN, description }));
const TimeFilter = (description: string) => Type.Optional(Type.String({ maxLength: 40, description }));

const StatusQuery = Type.Object({
  status: Type.Optional(Type.String({ pattern: `^(${MISSION_STATUSES.join('|')})(,(${MISSION_STATUSES.join('|')}))*$` })),
  proposer: LoginFilter('Login of the viewer who proposed the mission'),
  judge: LoginFilter('Login of the chat user (moderator or broadcaster) who resolved it'),
  since: TimeFilter('Proposed at or after: an ISO 8601 date (midnight UTC) or timestamp'),
  until: TimeFilter('Proposed before: an ISO 8601 date (midnight UTC) or timestamp'),
  cursor: Type.Optional(Type.String({ maxLength: 20 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});

const MissionWriteResponse = { 200: Mission, 201: Mission, ...WriteErrors, 423: ErrorResponse, 429: ErrorResponse };

export function missionRoutes(services: RouteServices): FastifyPluginAsyncTypebox {
  return async (app) => {
    const channelOf = (login: string) => services.channels.get(login);

    /** The chat user a write is made for: the acting user, or one named in the body by a dashboard/admin. */
    function subjectOf(actor: ReturnType<typeof requireActor>, named: ChatUser | undefined, what: string): ChatUser {
      if (actor.kind === 'chat') return actor.user;
      if (!named) throw errors.validation(`${what} is required when not acting as a chat user`);
      return named;
    }

    app.get(
      '/channels/:channel/missions',
      { schema: { tags: ['missions'], params: ChannelParams, querystring: StatusQuery, response: { 200: ListOf(Mission), 400: ErrorResponse, 404: ErrorResponse } } },
      async (request) => {
        const channel = await channelOf(request.params.channel);
        const { query } = request;
        const statuses = query.status?.split(',') as MissionStatus[] | undefined;
        const range = parseTimeRange(['since', query.since], ['until', query.until]);
        const page = await services.missions.list(channel, {
          statuses,
          proposer: query.proposer?.toLowerCase(),
          judge: query.judge?.toLowerCase(),
          since: range.from ?? undefined,
          until: range.to ?? undefined,
          before: numericCursor(request.query.cursor, MAX_INT4),
          limit: request.query.limit ?? 20,
        });
        return { items: page.items, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
      },
    );

    app.get(
      '/channels/:channel/missions/:n',
      { schema: { tags: ['missions'], params: MissionParams, response: { 200: Mission, 404: ErrorResponse } } },
      async (request) => services.missions.get(await channelOf(request.params.channel), request.params.n),
    );

    app.post(
      '/channels/:channel/missions',
      { schema: { tags: ['missions'], params: ChannelParams, body: CreateMissionBody, response: MissionWriteResponse, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const channel = await channelOf(request.params.channel);
        const actor = requireActor(request, channel);
        const body = request.body;
        const { mission, replayed } = await services.missions.propose(
          channel,
          {
            text: body.text,
            amount: body.amount === undefined ? undefined : amountFromBody(body.amount),
            durationSeconds: body.duration === undefined ? undefined : secondsFromBody(body.duration),
            proposer: subjectOf(actor, body.proposer, 'proposer'),
          },
          actor,
          idempotencyOf(request, channel, actor),
        );
        return reply.code(replayed ? 200 : 201).send(mission);
      },
    );

    const PledgeResponse = Type.Object({ pledge: Pledge, mission: Mission, balance: Type.Integer() });
    app.post(
      '/channels/:channel/missions/:n/pledges',
      { schema: { tags: ['pledges'], params: MissionParams, body: PledgeBody, response: { 201: PledgeResponse, 200: PledgeResponse, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const channel = await channelOf(request.params.channel);
        const actor = requireActor(request, channel);
        const idempotency = idempotencyOf(request, channel, actor);
        // Pledges commit in batches, outside runWrite: the key goes into the shared store first.
        if (idempotency) await reserveIdempotencyKey(services.db, idempotency);
        const result = await services.missions
          .pledge(
            channel,
            { number: request.params.n, amount: amountFromBody(request.body.amount), user: subjectOf(actor, request.body.viewer, 'viewer') },
            actor,
            idempotency,
          )
          .catch((err: unknown) => {
            app.metrics.pledges.inc({ result: isDomainError(err) ? err.code.toLowerCase() : 'error' });
            throw err;
          });
        app.metrics.pledges.inc({ result: result.replayed ? 'replayed' : 'ok' });
        return reply.code(result.replayed ? 200 : 201).send({ pledge: result.pledge, mission: result.mission, balance: result.balance });
      },
    );

    app.get(
      '/channels/:channel/missions/:n/pledges',
      {
        schema: {
          tags: ['pledges'],
          params: MissionParams,
          querystring: Type.Object({ cursor: Type.Optional(Type.String({ maxLength: 20 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }),
          response: { 200: ListOf(Pledge), 404: ErrorResponse },
        },
      },
      async (request) => {
        const channel = await channelOf(request.params.channel);
        const page = await services.missions.pledges(channel, request.params.n, {
          after: numericCursor(request.query.cursor, Number.MAX_SAFE_INTEGER),
          limit: request.query.limit ?? 100,
        });
        return { items: page.items, nextCursor: page.nextCursor === null ? null : String(page.nextCursor) };
      },
    );

    for (const action of ['approve', 'reject', 'success', 'fail', 'cancel'] as const) {
      app.post(
        `/channels/:channel/missions/:n/${action}`,
        { schema: { tags: ['verdicts'], params: MissionParams, body: Type.Optional(ReasonBody), response: MissionWriteResponse, security: [{ bearer: [] }] } },
        async (request) => {
          const channel = await channelOf(request.params.channel);
          const actor = requireActor(request, channel);
          const { mission } = await services.verdicts.act(channel, request.params.n, action, actor, {
            reason: request.body?.reason,
            idempotency: idempotencyOf(request, channel, actor),
          });
          return mission;
        },
      );
    }

    app.post(
      '/channels/:channel/missions/:n/extend',
      { schema: { tags: ['verdicts'], params: MissionParams, body: ExtendBody, response: MissionWriteResponse, security: [{ bearer: [] }] } },
      async (request) => {
        const channel = await channelOf(request.params.channel);
        const actor = requireActor(request, channel);
        const { mission } = await services.verdicts.extend(
          channel,
          request.params.n,
          secondsFromBody(request.body.duration),
          actor,
          idempotencyOf(request, channel, actor),
        );
        return mission;
      },
    );
  };
}
