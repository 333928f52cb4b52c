/**
 * The dashboard's live-board endpoints: the board websocket (`/ws/board/:channel`), one mission as
 * the board shows it, the overlay page's test event and connected count, and the demo chat.
 * Authorisation is the REST API's: a session (or token) with a role in the channel.
 */
import { Type } from '@sinclair/typebox';
import type {} from '@fastify/websocket';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyRequest, RawServerDefault } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../domain/errors.js';
import { channelRoleFor } from '../http/auth/principal.js';
import { requireOwnerOrAdmin } from '../http/auth/guards.js';
import { ChannelParams, ErrorResponse, MissionParams, WriteErrors } from '../http/schemas/common.js';
import { BoardMission, DemoChatBody, DemoChatLine, OverlayStatus, OverlayTestResult } from '../http/schemas/dashboard.js';
import type { OverlayHub } from '../overlay/hub.js';
import type { Channel } from '../services/channels.js';
import type { BoardView, BoardViewer } from '../services/board-view.js';
import type { DemoChat } from './demo-chat.js';
import type { BoardFeed } from './feed.js';
import { TEST_MISSION_BASE, testMissionEvents } from './test-event.js';

export const BOARD_SOCKET_ROUTE = '/ws/board/:channel';
/** Close codes a board page acts on: sign in again, no access here, no such channel. */
export const CLOSE_SIGNED_OUT = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_NOT_FOUND = 4404;
/** How long the test mission stays before its verdict banner. */
const TEST_VERDICT_AFTER_MS = 4_000;

export interface BoardRouteDeps {
  prefix: string;
  feed: BoardFeed;
  view: BoardView;
  hub: OverlayHub;
  channels: { get(login: string): Promise<Channel> };
  demoChat?: DemoChat;
  now: () => Date;
}

const FeedQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0 })),
  stream: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' })),
});

/** The viewer a request is, in `channel`; throws 401/403 like the REST guards. */
function viewerOf(request: FastifyRequest, channel: Channel): BoardViewer {
  const principal = request.principal;
  if (principal?.kind === 'anonymous') throw errors.unauthorized('Sign in to the dashboard to see this board');
  if (principal?.kind === 'invalid') throw errors.unauthorized('Your session has ended; sign in again');
  const role = channelRoleFor(principal, channel);
  if (role === null) throw errors.forbidden(`You are not the broadcaster or a moderator of ${channel.login}`);
  if (principal.kind !== 'session') return { role, userId: null };
  return { role, userId: principal.user?.userId ?? null, sessionId: principal.sessionId };
}

export function boardRoutes(deps: BoardRouteDeps): FastifyPluginAsyncTypebox {
  let testRuns = 0;
  // Named type arguments: without them fastify-plugin drops the TypeBox type provider.
  return fp<Record<never, never>, RawServerDefault, TypeBoxTypeProvider, FastifyBaseLogger, FastifyPluginAsyncTypebox>(
    async (app) => {
      deps.demoChat?.onLine((line) => deps.feed.publish(line.channel, { type: 'chat', line }));
      app.addHook('onClose', async () => deps.feed.close());
      app.onSessionRevoked((id) => deps.feed.closeSession(id));

      app.get(
        BOARD_SOCKET_ROUTE,
        { websocket: true, schema: { hide: true, params: ChannelParams, querystring: FeedQuery } },
        async (socket, request) => {
          // A page elsewhere can open a websocket here and the browser would send the cookie:
          // only this server's own pages may use a session on it.
          if (request.principal?.kind === 'session' && !app.isSameOrigin(request)) {
            socket.close(CLOSE_FORBIDDEN, 'cross-site board refused');
            return;
          }
          let viewer: BoardViewer;
          let channel: Channel;
          try {
            channel = await deps.channels.get(request.params.channel);
            viewer = viewerOf(request, channel);
          } catch (err) {
            const code = (err as { code?: string }).code;
            const close = code === 'UNAUTHORIZED' ? CLOSE_SIGNED_OUT : code === 'CHANNEL_NOT_FOUND' ? CLOSE_NOT_FOUND : code === 'FORBIDDEN' ? CLOSE_FORBIDDEN : 1011;
            socket.close(close, err instanceof Error ? err.message.slice(0, 120) : 'refused');
            return;
          }
          if (socket.readyState !== socket.OPEN) return;
          const { since, stream } = request.query;
          deps.feed.attach(channel.login, socket, viewer, since !== undefined && stream !== undefined ? { since, stream } : undefined);
        },
      );

      app.get(
        `${deps.prefix}/channels/:channel/board/missions/:n`,
        {
          schema: {
            tags: ['dashboard'],
            summary: 'One mission as the live board shows it: top backers, and whether you may judge it',
            params: MissionParams,
            response: { 200: BoardMission, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
          },
        },
        async (request) => {
          const channel = await deps.channels.get(request.params.channel);
          return deps.view.mission(channel.login, request.params.n, viewerOf(request, channel));
        },
      );

      app.get(
        `${deps.prefix}/channels/:channel/overlay/status`,
        { schema: { tags: ['dashboard'], summary: 'Overlays connected to this server right now', params: ChannelParams, response: { 200: OverlayStatus, ...WriteErrors } } },
        async (request) => {
          const channel = await deps.channels.get(request.params.channel);
          requireOwnerOrAdmin(request, channel);
          return { connected: deps.hub.clientCount(channel.login) };
        },
      );

      app.post(
        `${deps.prefix}/channels/:channel/overlay/test`,
        {
          schema: {
            tags: ['dashboard'],
            summary: 'Show a made-up mission and pledge burst on the connected overlays (no ledger, no chat)',
            params: ChannelParams,
            response: { 200: OverlayTestResult, ...WriteErrors },
          },
        },
        async (request) => {
          const channel = await deps.channels.get(request.params.channel);
          requireOwnerOrAdmin(request, channel);
          testRuns += 1;
          const number = TEST_MISSION_BASE + testRuns;
          const { opening, verdict } = testMissionEvents(channel.login, number, deps.now());
          const connected = deps.hub.preview(channel.login, opening);
          if (connected > 0) {
            const timer = setTimeout(() => deps.hub.preview(channel.login, [verdict]), TEST_VERDICT_AFTER_MS);
            timer.unref();
          }
          return { connected, missionNumber: number };
        },
      );

      app.post(
        `${deps.prefix}/demo/chat`,
        {
          schema: {
            tags: ['dashboard'],
            summary: 'Demo only: say a line in the local chat simulator as any viewer or moderator',
            body: DemoChatBody,
            response: { 201: Type.Object({ line: DemoChatLine }), ...WriteErrors },
          },
        },
        async (request, reply) => {
          if (!deps.demoChat) {
            return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'The demo chat is only there when the bot talks to the local chat simulator (npm run demo)' } });
          }
          const channel = await deps.channels.get(request.body.channel);
          viewerOf(request, channel);
          const line = deps.demoChat.say(channel.login, request.body.login, request.body.role, request.body.text);
          return reply.code(201).send({ line });
        },
      );
    },
    { name: 'mission-link-board', dependencies: ['@fastify/websocket', 'mission-link-sessions'] },
  );
}
