/**
 * The public mission board's endpoints: its read-only live feed (`/ws/public/:channel`, no key,
 * no session needed) and, for a viewer signed in with Twitch, their own balance and pledges
 * (`GET /api/v1/channels/:channel/me`) and a pledge from the page
 * (`POST /api/v1/channels/:channel/me/pledges`). The pledge is the signed-in user as the chat
 * actor they are in chat, through the same pledge service, batcher and idempotency store as a
 * pledge relayed by the bot; the page sends a fresh `Idempotency-Key` per click, so a retried or
 * doubled request pledges once. Cookie writes pass the session plugin's CSRF checks.
 */
import { Type } from '@sinclair/typebox';
import type {} from '@fastify/websocket';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, RawServerDefault } from 'fastify';
import fp from 'fastify-plugin';
import { errors, isDomainError } from '../domain/errors.js';
import { isTwitchLogin } from '../domain/twitch-login.js';
import { requireSelf } from '../http/auth/guards.js';
import { amountFromBody, idempotencyOf } from '../http/routes/context.js';
import { ChannelParams, ErrorResponse, WriteErrors } from '../http/schemas/common.js';
import { MePledgeBody, MePledgeResponse, ViewerMe } from '../http/schemas/public-board.js';
import type { BoardView } from '../services/board-view.js';
import type { Channel } from '../services/channels.js';
import type { MissionService } from '../services/missions.js';
import { reserveIdempotencyKey } from '../services/transaction.js';
import type { ViewerService } from '../services/viewers.js';
import type { Database } from '../../db/client.js';
import { createBoardFeed, type BoardFeed, type BoardFeedOptions, type FeedLimits } from './feed.js';
import { CLOSE_NOT_FOUND } from './routes.js';
import { DEFAULT_SOCKET_LIMITS, PING_BURST } from '../overlay/client-limits.js';
import type { PublicBoardSnapshot } from '../services/board-view.js';

export const PUBLIC_SOCKET_ROUTE = '/ws/public/:channel';

/**
 * The overlay hub's limits, with a far smaller share per address: an overlay venue runs
 * thousands of overlays from one machine, but a person needs one or two board tabs, and 50
 * leaves room for a school or an office behind one NAT.
 */
export const PUBLIC_FEED_LIMITS: FeedLimits = {
  maxSocketsPerChannel: DEFAULT_SOCKET_LIMITS.perChannel,
  maxSocketsPerAddress: 50,
  pingBurst: PING_BURST,
  maxBadFrames: 20,
  minResyncIntervalMs: 1_000,
};

export type PublicFeed = BoardFeed<Record<never, never>>;

/**
 * The public board's feed: the board feed (sequence numbers, resume, heartbeat) with the abuse
 * limits, and one snapshot read per channel at a time however many visitors ask together (a
 * reconnect wave after a deploy), since every visitor gets the same snapshot.
 */
export function createPublicFeed(
  options: Omit<BoardFeedOptions<Record<never, never>, PublicBoardSnapshot>, 'loadSnapshot' | 'limits'> & {
    loadSnapshot(channel: string): Promise<PublicBoardSnapshot>;
    limits?: Partial<FeedLimits>;
  },
): PublicFeed {
  const loading = new Map<string, Promise<PublicBoardSnapshot>>();
  const loadShared = (channel: string): Promise<PublicBoardSnapshot> => {
    let load = loading.get(channel);
    if (load === undefined) {
      load = options.loadSnapshot(channel).finally(() => loading.delete(channel));
      loading.set(channel, load);
    }
    return load;
  };
  return createBoardFeed({ ...options, limits: { ...PUBLIC_FEED_LIMITS, ...options.limits }, loadSnapshot: loadShared });
}

export interface PublicRouteDeps {
  prefix: string;
  feed: PublicFeed;
  view: Pick<BoardView, 'viewerPledges'>;
  channels: { get(login: string): Promise<Channel> };
  missions: Pick<MissionService, 'pledge'>;
  viewers: Pick<ViewerService, 'byUserId'>;
  db: Database;
}

const FeedQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0 })),
  stream: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' })),
});
const SocketParams = Type.Object({ channel: Type.String({ maxLength: 64 }) });

export function publicBoardRoutes(deps: PublicRouteDeps): FastifyPluginAsyncTypebox {
  return fp<Record<never, never>, RawServerDefault, TypeBoxTypeProvider, FastifyBaseLogger, FastifyPluginAsyncTypebox>(
    async (app) => {
      app.addHook('onClose', async () => deps.feed.close());

      app.get(
        PUBLIC_SOCKET_ROUTE,
        { websocket: true, schema: { hide: true, params: SocketParams, querystring: FeedQuery } },
        async (socket, request) => {
          const login = request.params.channel.toLowerCase();
          let channel: Channel | null = null;
          try {
            channel = isTwitchLogin(login) ? await deps.channels.get(login) : null;
          } catch (err) {
            if (!isDomainError(err)) {
              request.log.error({ err, channel: login }, 'public board channel lookup failed');
              socket.close(1011, 'try again later');
              return;
            }
          }
          if (channel === null) {
            socket.close(CLOSE_NOT_FOUND, 'no such channel');
            return;
          }
          if (socket.readyState !== socket.OPEN) return;
          const { since, stream } = request.query;
          // Nothing of the visitor's session rides on this feed: every socket gets the same frames.
          deps.feed.attach(channel.login, socket, {}, since !== undefined && stream !== undefined ? { since, stream } : undefined, request.ip);
        },
      );

      app.get(
        `${deps.prefix}/channels/:channel/me`,
        {
          schema: {
            tags: ['public board'],
            summary: 'The signed-in Twitch user: balance and last pledges in this channel',
            params: ChannelParams,
            response: { 200: ViewerMe, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
          },
        },
        async (request, reply) => {
          reply.header('cache-control', 'no-store');
          const channel = await deps.channels.get(request.params.channel);
          const { user } = requireSelf(request, channel);
          const [known, pledges] = await Promise.all([deps.viewers.byUserId(channel, user.userId), deps.view.viewerPledges(channel, user)]);
          // Someone never seen here starts with the starting balance at their first pledge.
          const viewer = known ?? { ...user, balance: channel.settings.startingBalance, inEscrow: 0 };
          return { viewer, pledges };
        },
      );

      app.post(
        `${deps.prefix}/channels/:channel/me/pledges`,
        {
          schema: {
            tags: ['public board'],
            summary: 'Pledge as the signed-in Twitch user (needs an Idempotency-Key)',
            params: ChannelParams,
            body: MePledgeBody,
            response: { 201: MePledgeResponse, 200: MePledgeResponse, ...WriteErrors },
          },
        },
        async (request, reply) => {
          const channel = await deps.channels.get(request.params.channel);
          const actor = requireSelf(request, channel);
          const idempotency = idempotencyOf(request, channel, actor);
          // Every click of the page carries its own key: without one a retried request could pledge twice.
          if (!idempotency) throw errors.validation('Idempotency-Key header is required');
          await reserveIdempotencyKey(deps.db, idempotency);
          const result = await deps.missions
            .pledge(channel, { number: request.body.mission, amount: amountFromBody(request.body.amount), user: actor.user }, actor, idempotency)
            .catch((err: unknown) => {
              app.metrics.pledges.inc({ result: isDomainError(err) ? err.code.toLowerCase() : 'error' });
              throw err;
            });
          app.metrics.pledges.inc({ result: result.replayed ? 'replayed' : 'ok' });
          return reply.code(result.replayed ? 200 : 201).send({ pledge: result.pledge, mission: result.mission, balance: result.balance });
        },
      );
    },
    { name: 'mission-link-public-board', dependencies: ['@fastify/websocket', 'mission-link-sessions'] },
  );
}
