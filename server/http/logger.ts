/**
 * The process logger. Secrets never reach a log line: bearer tokens and cookies are redacted
 * wherever they appear, and query-string secrets (overlay `key`, OAuth `code`/`state`, tokens)
 * are stripped from logged URLs, because pino's request serializer logs `url` verbatim.
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config, LogFormat } from '../config.js';

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

/** Readable lines for a person at a terminal; JSON for machines (no TTY, or NODE_ENV=production). */
export function logFormatFor(config: Pick<Config, 'logFormat' | 'production'>, isTTY: boolean): LogFormat {
  return config.logFormat ?? (isTTY && !config.production ? 'pretty' : 'json');
}

/**
 * The logger of `npm start`: pretty lines through pino-pretty when `logFormatFor` says so,
 * written synchronously in this thread (no transport worker), so the last lines before an exit are
 * not lost. pino-pretty is a development dependency: without it (`npm ci --omit=dev`) the lines stay JSON.
 */
export async function createProcessLogger(
  config: Pick<Config, 'logLevel' | 'logFormat' | 'production'>,
  isTTY = process.stdout.isTTY === true,
): Promise<Logger> {
  if (logFormatFor(config, isTTY) === 'json') return createLogger(config);
  try {
    const { default: pretty } = await import('pino-pretty');
    return createLogger(
      config,
      pretty({
        colorize: isTTY,
        sync: true,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname,reqId',
        singleLine: true,
      }),
    );
  } catch {
    const logger = createLogger(config);
    logger.warn('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency); logging JSON');
    return logger;
  }
}

/** Fastify logs each request at info, twice; that drowns the lines that matter. Debug here; errors unchanged. */
class QuietRequestLogs extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export const quietRequestLogs = (): LogController => new QuietRequestLogs();
