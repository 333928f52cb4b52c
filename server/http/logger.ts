/**
 * The process logger. Secrets never reach a log line: bearer tokens and cookies are redacted
 * wherever they appear, and query-string secrets (overlay `key`, OAuth `code`/`state`, tokens)
 * are stripped from logged URLs, because pino's request serializer logs `url` verbatim.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config.js';

const SECRET_QUERY_PARAMS = new Set(['key', 'token', 'code', 'state', 'access_token', 'refresh_token', 'password']);
const CENSOR = '[redacted]';

/** Paths pino blanks out in every log object. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-token"]',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
  '*.secret',
  '*.overlayKey',
  'query.key',
  '*.query.key',
];

/** Replaces the value of every secret query parameter in a URL (or path) with `[redacted]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape is logged as sent; only recognised names are censored.
      }
      return SECRET_QUERY_PARAMS.has(name.toLowerCase()) ? `${rawName}=${CENSOR}` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

interface LoggableRequest {
  method?: string;
  url?: string;
  ip?: string;
  host?: string;
  socket?: { remotePort?: number } | null;
}

/** Fastify request serializer: the usual fields, with the URL's secrets removed and no headers. */
export function serializeRequest(req: LoggableRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url === undefined ? undefined : redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * Creates the pino logger for a process. `destination` lets tests capture output.
 * Pass it to `buildApp({ logger })`; Fastify adds the request id (`reqId`) to each request's lines.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { req: serializeRequest, err: pino.stdSerializers.err },
    },
    destination,
  );
}
