/**
 * The one place that reads `process.env`. Everything else receives a typed `Config`.
 * A bad value throws a `ConfigError` naming every offending variable.
 */
import { isTwitchLogin } from './domain/twitch-login.js';

export interface Config {
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  host: string;
  port: number;
  publicUrl: string;
  adminToken: string | undefined;
  twitch: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    botUsername: string | undefined;
    botToken: string | undefined;
    channels: string[];
    ircUrl: string;
  };
  tokenEncryptionKey: string | undefined;
  logLevel: LogLevel;
  /** LOG_FORMAT; unset: readable lines on a terminal, JSON otherwise and under NODE_ENV=production. */
  logFormat: LogFormat | undefined;
  /** NODE_ENV=production. */
  production: boolean;
  /** Where the embedded Postgres keeps its data when `databaseUrl` is unset. */
  dataDir: string;
  /** True when MISSION_LINK_DATA_DIR is unset (as root, a default inside a private checkout may move). */
  dataDirIsDefault: boolean;
  /** Scheduled backups (worker role): off unless `dir` is set. */
  backup: { dir: string | undefined; keep: number; everyMs: number };
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type LogFormat = 'json' | 'pretty';
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const url = (name: string, protocols: string[], fallback?: string): string | undefined => {
    const value = text(name) ?? fallback;
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got ${parsed.protocol})`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return value;
  };

  const portText = text('PORT') ?? '3000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 0 || port > 65535) {
    problems.push(`PORT must be an integer between 0 and 65535 (got "${portText}")`);
  }

  const logLevel = (text('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }

  const logFormat = text('LOG_FORMAT')?.toLowerCase();
  if (logFormat !== undefined && !LOG_FORMATS.includes(logFormat as LogFormat)) {
    problems.push(`LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')} (got "${logFormat}")`);
  }

  const channels = (text('TWITCH_CHANNELS') ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase().replace(/^#/, ''))
    .filter((c) => c !== '');
  for (const channel of channels) {
    if (!isTwitchLogin(channel)) problems.push(`TWITCH_CHANNELS has an invalid channel login "${channel}"`);
  }

  const botToken = text('TWITCH_BOT_TOKEN');
  if (botToken !== undefined && !/^oauth:[A-Za-z0-9]+$/.test(botToken)) {
    problems.push('TWITCH_BOT_TOKEN must look like oauth:<token>');
  }
  const adminToken = text('ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push('ADMIN_TOKEN must be at least 16 characters');
  }
  const encryptionKey = text('TOKEN_ENCRYPTION_KEY');
  if (encryptionKey !== undefined && encryptionKey.length < 32) {
    problems.push('TOKEN_ENCRYPTION_KEY must be at least 32 characters');
  }

  const backupKeepText = text('MISSION_LINK_BACKUP_KEEP') ?? '7';
  const backupKeep = Number(backupKeepText);
  if (!/^\d+$/.test(backupKeepText) || backupKeep < 1 || backupKeep > 10_000) {
    problems.push(`MISSION_LINK_BACKUP_KEEP must be a whole number of backups to keep, 1 or more (got "${backupKeepText}")`);
  }
  const backupEveryText = (text('MISSION_LINK_BACKUP_EVERY') ?? '24h').toLowerCase();
  const every = /^(\d+)(m|h|d)$/.exec(backupEveryText);
  const backupEveryMs = every ? Number(every[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[every[2] as 'm' | 'h' | 'd'] : 0;
  if (!every || backupEveryMs < 60_000) {
    problems.push(`MISSION_LINK_BACKUP_EVERY must be a duration such as 30m, 6h or 1d, at least 1m (got "${backupEveryText}")`);
  }

  const config: Config = {
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    host: text('HOST') ?? '127.0.0.1',
    port,
    // The default follows PORT, so links printed for OBS and the browser point at this server.
    publicUrl: (url('PUBLIC_URL', ['http:', 'https:'], `http://localhost:${Number.isInteger(port) ? port : 3000}`) ?? '').replace(/\/+$/, ''),
    adminToken,
    twitch: {
      clientId: text('TWITCH_CLIENT_ID'),
      clientSecret: text('TWITCH_CLIENT_SECRET'),
      botUsername: text('TWITCH_BOT_USERNAME')?.toLowerCase(),
      botToken,
      channels: [...new Set(channels)],
      ircUrl: url('TWITCH_IRC_URL', ['ws:', 'wss:'], 'wss://irc-ws.chat.twitch.tv:443') ?? '',
    },
    tokenEncryptionKey: encryptionKey,
    logLevel: logLevel as LogLevel,
    logFormat: logFormat as LogFormat | undefined,
    production: text('NODE_ENV') === 'production',
    dataDir: text('MISSION_LINK_DATA_DIR') ?? './.data',
    dataDirIsDefault: text('MISSION_LINK_DATA_DIR') === undefined,
    backup: { dir: text('MISSION_LINK_BACKUP_DIR'), keep: backupKeep, everyMs: backupEveryMs },
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
