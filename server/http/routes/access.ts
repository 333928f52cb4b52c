/**
 * A channel's API tokens and signed-in dashboard sessions: list, issue, revoke. Owner and admin
 * only. A revocation is felt by the very next request: the token leaves this process's lookup
 * cache, and a session is ended through the app's own revoke, which also closes its live feeds.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../../db/client.js';
import { errors } from '../../domain/errors.js';
import { createChannelAccessService, type ChannelSessionRow } from '../../services/access.js';
import { findChannelRow } from '../../services/channels.js';
import type { TokenRow } from '../../services/tokens.js';
import { requireOwnerOrAdmin } from '../auth/guards.js';
import { ApiToken, ApiTokenList, DashboardSessionList, DashboardSession, IssuedApiToken, IssueTokenBody, SessionParams, TokenParams } from '../schemas/access.js';
import { ChannelParams, IdempotencyHeaders, WriteErrors } from '../schemas/common.js';
import { idempotencyOf } from './context.js';

export interface AccessRouteDeps {
  db: Database;
  now?: () => Date;
}

const tokenJson = (row: TokenRow): ApiToken => ({
  id: row.id,
  role: row.role,
  label: row.label,
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

const sessionJson = (row: ChannelSessionRow, currentId: number | null): DashboardSession => ({
  id: row.id,
  userId: row.userId,
  login: row.login,
  displayName: row.displayName,
  role: row.role,
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  current: row.id === currentId,
});

const notFound = (reply: FastifyReply, message: string) =>
  reply.code(404).type('application/json; charset=utf-8').send({ error: { code: 'NOT_FOUND', message } });

// Every answer here describes who may get in: never cached by a browser or a proxy.
const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

export function accessRoutes(deps: AccessRouteDeps): FastifyPluginAsyncTypebox {
  const access = createChannelAccessService(deps.db, deps.now);

  return async (app) => {
    /** The channel named in the URL, once the request is known to be its owner's or the admin's. */
    async function ownedChannel(request: FastifyRequest, login: string) {
      const channel = await findChannelRow(deps.db, login);
      if (!channel) throw errors.channelNotFound(login);
      const actor = requireOwnerOrAdmin(request, channel);
      return { channel, actor, admin: actor.kind === 'admin' };
    }
    const currentSessionId = (request: FastifyRequest) => (request.principal.kind === 'session' ? request.principal.sessionId : null);

    app.get(
      '/channels/:channel/tokens',
      { schema: { tags: ['access'], summary: "The channel's API tokens (revoked ones too), never their secrets", params: ChannelParams, response: { 200: ApiTokenList, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const { channel } = await ownedChannel(request, request.params.channel);
        noStore(reply);
        return { items: (await access.listTokens(channel.id)).map(tokenJson), nextCursor: null };
      },
    );

    app.post(
      '/channels/:channel/tokens',
      {
        schema: {
          tags: ['access'],
          summary: 'Issue a moderator or owner token; the secret is in this answer only',
          params: ChannelParams,
          headers: IdempotencyHeaders,
          body: IssueTokenBody,
          response: { 200: IssuedApiToken, 201: IssuedApiToken, ...WriteErrors },
          security: [{ bearer: [] }],
        },
      },
      async (request, reply) => {
        const { channel, actor } = await ownedChannel(request, request.params.channel);
        const issued = await access.issueToken(channel.id, { role: request.body.role, label: request.body.label ?? null }, actor, idempotencyOf(request, channel, actor));
        noStore(reply);
        if (issued.token === null) return reply.code(200).send(tokenJson(issued.row));
        return reply.code(201).send({ ...tokenJson(issued.row), token: issued.token });
      },
    );

    app.delete(
      '/channels/:channel/tokens/:id',
      { schema: { tags: ['access'], summary: 'Revoke a token: refused from the next request on', params: TokenParams, response: { 200: ApiToken, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const { channel, actor, admin } = await ownedChannel(request, request.params.channel);
        const row = await access.revokeToken(channel.id, request.params.id, { allowBot: admin, by: actor });
        if (!row) return notFound(reply, `Channel ${channel.login} has no token #${request.params.id}`);
        app.forgetApiToken(row.id);
        noStore(reply);
        return tokenJson(row);
      },
    );

    app.get(
      '/channels/:channel/sessions',
      { schema: { tags: ['access'], summary: 'Signed-in dashboard sessions with a role in the channel', params: ChannelParams, response: { 200: DashboardSessionList, ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const { channel } = await ownedChannel(request, request.params.channel);
        noStore(reply);
        const current = currentSessionId(request);
        return { items: (await access.listSessions(channel.id)).map((row) => sessionJson(row, current)), nextCursor: null };
      },
    );

    app.delete(
      '/channels/:channel/sessions/:id',
      { schema: { tags: ['access'], summary: 'Sign a dashboard session out', params: SessionParams, response: { 204: Type.Null(), ...WriteErrors }, security: [{ bearer: [] }] } },
      async (request, reply) => {
        const { channel, actor } = await ownedChannel(request, request.params.channel);
        const session = await access.findSession(channel.id, request.params.id);
        if (!session) return notFound(reply, `No signed-in session #${request.params.id} in ${channel.login}`);
        // One's own browser signs out; anyone else's is revoked by the owner.
        await app.sessions.revoke(session.id, session.id === currentSessionId(request) ? undefined : actor);
        return noStore(reply).code(204).send();
      },
    );
  };
}
