/**
 * Per-credential and per-IP request limits, on `@fastify/rate-limit` with its
 * in-memory store, so each server instance counts on its own (N instances allow N × the limit;
 * see docs/security.md).
 *
 * The limit runs in `onRequest`, after the auth plugin has resolved `request.principal` and before
 * the body is read (a body trickled in byte by byte is counted when it starts):
 * - a valid dashboard token is counted per token (its id), whatever IP it comes from;
 * - the bot's service token and the admin token share the same key space but get `trustedMax`,
 *   high enough that a chat storm relayed by the bot (all from one IP) is never throttled;
 * - anonymous requests, and requests with an unknown or malformed token, are counted per IP, so
 *   guessing tokens does not buy a fresh budget per guess.
 * Health, readiness and metrics probes are exempt. The overlay page is an ordinary anonymous GET,
 * limited per IP like any read. Overlay websocket connects have their own per-IP counter and a
 * larger budget: a socket stays open, so connects measure floods, not use, and a watch party or
 * venue behind one NAT (or a load test) opens thousands of legitimate overlays from one address;
 * refusing them would leave boards blank mid-stream. Every socket still needs the overlay key.
 */
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OVERLAY_SOCKET_ROUTE } from '../../overlay/routes.js';

export interface RateLimitSettings {
  /** Requests per window for each anonymous (or bad-token) IP. */
  perIp: number;
  /** Requests per window for each dashboard token (moderator, owner). */
  perToken: number;
  /** Requests per window for the bot's service token and the admin token. */
  trustedMax: number;
  /** Overlay websocket connects per window for each IP (a counter of their own). */
  overlaySocketsPerIp: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  perIp: 600,
  perToken: 1_200,
  trustedMax: 100_000,
  overlaySocketsPerIp: 5_000,
  windowMs: 60_000,
};

const EXEMPT_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

const isOverlaySocket = (request: FastifyRequest): boolean => request.routeOptions.url === OVERLAY_SOCKET_ROUTE;

/** The counter a request is charged to: `token:<id>`, `admin`, `overlay-ws:<address>` or `ip:<address>`. */
export function rateLimitKey(request: FastifyRequest): string {
  if (isOverlaySocket(request)) return `overlay-ws:${request.ip}`;
  const p = request.principal;
  if (p?.kind === 'admin') return 'admin';
  if (p?.kind === 'token') return `token:${p.tokenId}`;
  return `ip:${request.ip}`;
}

function isTrusted(request: FastifyRequest): boolean {
  const p = request.principal;
  return p?.kind === 'admin' || (p?.kind === 'token' && p.role === 'bot');
}

class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = 'RATE_LIMITED';
}

/**
 * Registers the limits for every route added after it. Register after the auth plugin and
 * before any route. The 429 leaves through the app's error handler as
 * `{ error: { code: 'RATE_LIMITED', message } }` with `Retry-After`.
 */
export const rateLimitPlugin = fp<Partial<RateLimitSettings>>(
  async (app: FastifyInstance, options) => {
    const settings: RateLimitSettings = { ...DEFAULT_RATE_LIMITS, ...options };
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      timeWindow: settings.windowMs,
      keyGenerator: rateLimitKey,
      max: (request) => {
        if (isOverlaySocket(request)) return settings.overlaySocketsPerIp;
        if (isTrusted(request)) return settings.trustedMax;
        return request.principal?.kind === 'token' ? settings.perToken : settings.perIp;
      },
      allowList: (request) => EXEMPT_PATHS.has(request.url.split('?')[0] ?? ''),
      // Enough distinct keys for a busy instance; the least recently used are forgotten first.
      cache: 10_000,
      errorResponseBuilder: (_request, context) =>
        new RateLimitedError(`Too many requests; retry in ${context.after}`),
    });
  },
  { name: 'mission-link-rate-limit', fastify: '5.x', dependencies: ['mission-link-auth', 'mission-link-error-handler'] },
);
