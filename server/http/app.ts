/**
 * The HTTP application: infrastructure plugins around the domain routes.
 * `buildApp` never listens; `server/main.ts` does, and tests use `app.inject`.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DbHandle } from '../../db/client.js';
import { listChannelLogins } from '../services/channels.js';
import { createSessionService } from '../services/sessions.js';
import { createTokenService } from '../services/tokens.js';
import { quietRequestLogs } from './logger.js';
import type { AppMetrics } from '../ports/metrics.js';
import { createMetrics } from './metrics.js';
import { authPlugin } from './auth/auth-plugin.js';
import { errorHandlerPlugin, handleError } from './plugins/error-handler.js';
import type { ReadinessCheck } from '../ports/readiness.js';
import { healthPlugin } from './plugins/health.js';
import { metricsPlugin } from './plugins/metrics.js';
import { rateLimitPlugin, type RateLimitSettings } from './plugins/rate-limit.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { swaggerPlugin } from './plugins/swagger.js';
import { accessRoutes } from './routes/access.js';
import { sessionRoutes, type SessionRouteDeps } from './routes/session.js';
import { sessionPlugin } from './session/session-plugin.js';
import { splitValidatorFactory } from './plugins/validator.js';
import { PLAIN_TEXT_FORMAT } from './schemas/common.js';
import { isPlainText } from '../domain/grammar/text.js';

export interface AppDeps {
  config: Config;
  /** Owned by the caller: the app uses it but does not close it. */
  db: DbHandle;
  /** A pino logger (see `createLogger`), or false/undefined for none. */
  logger?: Logger | false;
  /** Checks behind `GET /readyz` (e.g. `postgresReadiness(db)`, `redisReadiness(redis)`). */
  readiness: ReadinessCheck[];
  /** Per-check limit for `/readyz` (default 1 s). */
  readinessTimeoutMs?: number;
  /** Domain routes, registered under `/api/v1`. */
  routes: FastifyPluginAsync[];
  /** Plugins registered at the root (e.g. the overlay page and websocket). */
  plugins?: FastifyPluginAsync[];
  /** Share one metrics registry with the worker in the same process; a fresh one otherwise. */
  metrics?: AppMetrics;
  /** Fastify `trustProxy`: set only behind a proxy you control. Off by default. */
  trustProxy?: boolean | string | string[];
  /** Largest accepted request body. */
  bodyLimit?: number;
  /** See `AuthOptions.cacheMs`. */
  tokenCacheMs?: number;
  /** Per-token and per-IP limits (defaults: `DEFAULT_RATE_LIMITS`); false turns them off. */
  rateLimit?: Partial<RateLimitSettings> | false;
  /** What `GET /api/v1/session` offers (default: no Twitch login, no demo chat). */
  dashboardFeatures?: SessionRouteDeps['features'];
  /** Connection limits and timeouts (defaults: `DEFAULT_HTTP_LIMITS`). */
  httpLimits?: Partial<HttpLimits>;
}

/**
 * Limits of the HTTP server itself, which hold before any route or rate limit runs: a client
 * that trickles its headers or body is cut off, and so is one that opens sockets without end.
 */
export interface HttpLimits {
  /** Whole request, headers and body, must arrive within this (answered with 408). */
  requestTimeoutMs: number;
  /** Headers must arrive within this. */
  headersTimeoutMs: number;
  /** A socket with no traffic for this long is closed (websockets excepted: ws clears it). */
  idleTimeoutMs: number;
  /** How often Node checks the two request timeouts; a timeout fires up to this much late. */
  timeoutCheckIntervalMs: number;
  /** Open connections (HTTP and websockets) beyond which new ones are dropped at once. */
  maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 15_000,
  idleTimeoutMs: 120_000,
  timeoutCheckIntervalMs: 5_000,
  maxConnections: 10_000,
};

export const API_PREFIX = '/api/v1';
export const DEFAULT_BODY_LIMIT = 16 * 1024;

// Accept a caller's request id only when it is short and plain, so it is safe in logs and headers.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...deps.httpLimits };
  const app = Fastify({
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    // Node 20 applies the request timeout only when given to the server's constructor; Fastify
    // sets it on the instance afterwards, which alone leaves requests without one.
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    requestIdHeader: false,
    logController: quietRequestLogs(),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // The router's own refusals (a malformed URL) leave in the one error shape too.
    frameworkErrors: (error, request, reply) => handleError(error, request, reply),
    trustProxy: deps.trustProxy ?? false,
    schemaController: { compilersFactory: { buildValidator: splitValidatorFactory() } },
    ajv: { customOptions: { allErrors: false, formats: { [PLAIN_TEXT_FORMAT]: isPlainText } } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.server.maxConnections = limits.maxConnections;

  // JSON only: a text/plain body is refused with 415 instead of reaching a schema as a string.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const metrics = deps.metrics ?? createMetrics();
  if (!deps.metrics) app.addHook('onClose', async () => metrics.registry.clear());

  await app.register(errorHandlerPlugin);
  await app.register(securityHeadersPlugin, { hsts: config.publicUrl.startsWith('https:') });
  await app.register(metricsPlugin, { metrics });
  await app.register(swaggerPlugin, { publicUrl: config.publicUrl });
  const tokens = createTokenService(deps.db.db);
  await app.register(authPlugin, {
    adminToken: config.adminToken,
    findToken: (token) => tokens.findByToken(token),
    ...(deps.tokenCacheMs === undefined ? {} : { cacheMs: deps.tokenCacheMs }),
  });
  // After auth: a session cookie counts only when no bearer token was sent.
  await app.register(sessionPlugin, { sessions: createSessionService(deps.db.db), publicUrl: config.publicUrl });
  // After auth and sessions (it keys on the resolved token) and before every route it applies to.
  if (deps.rateLimit !== false) await app.register(rateLimitPlugin, deps.rateLimit ?? {});
  await app.register(healthPlugin, {
    readiness: deps.readiness,
    ...(deps.readinessTimeoutMs === undefined ? {} : { timeoutMs: deps.readinessTimeoutMs }),
  });

  await app.register(
    sessionRoutes({
      prefix: API_PREFIX,
      listChannels: () => listChannelLogins(deps.db.db),
      features: deps.dashboardFeatures ?? (() => ({ twitchLogin: false, demo: false })),
    }),
  );
  // Beside the auth and session plugins it revokes through (their token cache, their session revoke).
  await app.register(accessRoutes({ db: deps.db.db }), { prefix: API_PREFIX });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  await app.register(
    async (api) => {
      for (const route of deps.routes) await api.register(route);
    },
    { prefix: API_PREFIX },
  );

  return app as unknown as FastifyInstance;
}
