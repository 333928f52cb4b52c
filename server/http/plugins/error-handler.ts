/**
 * The one error handler. Every failure leaves as
 * `{ error: { code, message } }` (plus `field`, the body field at fault, when one is): domain errors with their mapped status, Fastify's own
 * request errors (validation, malformed JSON, content type, size) with a clear 4xx, and
 * anything unexpected as a bare 500 whose details go to the log only, with the request id.
 */
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError, type DomainError, type DomainErrorCode } from '../../domain/errors.js';

const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RESOLVER_HAS_PLEDGED: 403,
  CHANNEL_NOT_FOUND: 404,
  MISSION_NOT_FOUND: 404,
  VIEWER_NOT_FOUND: 404,
  CHANNEL_EXISTS: 409,
  IDEMPOTENCY_CONFLICT: 409,
  INVALID_TRANSITION: 409,
  MISSION_NOT_OPEN: 409,
  MISSION_NOT_PENDING: 409,
  // 409 rather than 423: Locked is WebDAV's, and clients treat 409 as "state forbids this now".
  MISSIONS_PAUSED: 409,
  INSUFFICIENT_FUNDS: 422,
  STAKE_TOO_LOW: 422,
  PLEDGE_TOO_HIGH: 422,
  TOO_MANY_OPEN_MISSIONS: 422,
  TOO_MANY_OPEN_MISSIONS_FOR_VIEWER: 422,
  DURATION_OUT_OF_RANGE: 422,
  BLOCKED_WORDS: 422,
  BALANCE_LIMIT: 422,
  COOLDOWN: 429,
  OVERLOADED: 503,
};

/** The HTTP status for a domain error code. */
export function httpStatusFor(code: DomainErrorCode): number {
  return STATUS[code];
}

/** Seconds a client should wait before retrying, for the codes that have one. */
export function retryAfterSeconds(error: DomainError): number | undefined {
  if (error.code === 'COOLDOWN') {
    const ms = Number(error.params.retryAfterMs);
    return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 1;
  }
  if (error.code === 'OVERLOADED') return 1;
  return undefined;
}

/** Fastify's request-level failures, by their error code. */
const FASTIFY_CODES: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON', message: 'The body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'INVALID_JSON',
    message: 'The body is empty but Content-Type is application/json',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the body as application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The body is too large' },
  // @fastify/csrf-protection, on a cookie-authenticated write (server/http/session).
  FST_CSRF_MISSING_SECRET: { status: 403, code: 'CSRF', message: 'This session has no CSRF secret; sign in again' },
  FST_CSRF_INVALID_TOKEN: {
    status: 403,
    code: 'CSRF',
    message: 'Missing or invalid x-csrf-token header (get one from GET /api/v1/session)',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Content-Length does not match the body' },
  // Raised by the router before any route (a malformed percent-escape such as "/%"): see buildApp's frameworkErrors.
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL', message: 'The URL is not valid (a malformed % escape?)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', message: 'A part of the URL is too long' },
};

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** One readable sentence naming the offending field, e.g. `body.amount must be integer`. */
export function describeValidation(context: string | undefined, issues: ValidationIssue[]): string {
  const issue = issues[0];
  const part = context ?? 'request';
  if (!issue) return `Invalid ${part}`;
  const path = (issue.instancePath ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = [part, ...path].join('.');
  const params = issue.params ?? {};
  if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${where} has an unknown field "${params.additionalProperty}"`;
  }
  if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
    return `${[where, params.missingProperty].join('.')} is required`;
  }
  return `${where} ${issue.message ?? 'is invalid'}`;
}

/**
 * The body field a validation issue is about, as a dotted path (`minStake`, `accrual.amount`),
 * so a form can show the message beside that field; undefined when the issue is not about the body.
 */
export function validationField(context: string | undefined, issues: ValidationIssue[]): string | undefined {
  const issue = issues[0];
  if (context !== 'body' || !issue) return undefined;
  const path = (issue.instancePath ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = issue.params ?? {};
  if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') path.push(params.additionalProperty);
  if (issue.keyword === 'required' && typeof params.missingProperty === 'string') path.push(params.missingProperty);
  return path.length > 0 ? path.join('.') : undefined;
}

function send(reply: FastifyReply, status: number, code: string, message: string, field?: string): FastifyReply {
  const error = field === undefined ? { code, message } : { code, message, field };
  return reply.code(status).type('application/json; charset=utf-8').send({ error });
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isDomainError(error)) {
    const status = httpStatusFor(error.code);
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    if (status >= 500) request.log.warn({ code: error.code }, error.message);
    const field = typeof error.params.field === 'string' ? error.params.field : undefined;
    return send(reply, status, error.code, error.message, field);
  }

  const fastifyError = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const { validation, validationContext } = fastifyError;
    return send(reply, 400, 'VALIDATION', describeValidation(validationContext, validation), validationField(validationContext, validation));
  }
  const known = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (known) return send(reply, known.status, known.code, known.message ?? fastifyError.message);

  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify and its plugins raise these for malformed requests; their messages describe the request only.
    if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    return send(reply, status, status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST', fastifyError.message);
  }

  if (isStoreUnavailable(error)) {
    // Postgres restarting or unreachable: a retry soon will succeed, and load balancers should know.
    request.log.warn({ err: error }, 'database unavailable');
    reply.header('retry-after', '2');
    return send(reply, 503, 'UNAVAILABLE', 'The service is briefly unavailable; try again in a moment');
  }
  request.log.error({ err: error }, 'unhandled error');
  return send(reply, 500, 'INTERNAL', 'Internal error');
}

// SQLSTATE class 08 (connection exception) and 57P01–57P03 (shutdown, crash, cannot connect now).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123])/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** True when the error (or one it wraps) says the database could not be reached, not that the query was wrong. */
export function isStoreUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
    if (UNAVAILABLE_MESSAGE.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Installs the error and not-found handlers at the root, so every route and plugin shares them. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      return send(reply, 404, 'NOT_FOUND', `No route for ${request.method} ${path}`);
    });
  },
  { name: 'mission-link-error-handler', fastify: '5.x' },
);
