/**
 * The Twitch connection of one process: stored tokens loaded into a `RefreshingAuthProvider`
 * (refreshes written back encrypted, failures marking the token invalid), one Helix `ApiClient`,
 * and a readiness check. Built only when TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET are set.
 */
import { ApiClient } from '@twurple/api';
import { exchangeCode, getTokenInfo, RefreshingAuthProvider, type AccessToken } from '@twurple/auth';
import { getMockApiPort } from '@twurple/common';
import type { Logger } from 'pino';
import type { Database } from '../../db/client.js';
import type { Config } from '../config.js';
import type { ReadinessCheck } from '../http/plugins/health.js';
import { redactSecrets, safeError } from './redact.js';
import { callbackUrl, missingScopes, type TwitchRole } from './scopes.js';
import { createTokenStore, type TokenStore } from './token-store.js';

export interface TwitchIntegration {
  api: ApiClient;
  store: TokenStore;
  provider: RefreshingAuthProvider;
  clientId: string;
  /** Twitch's authorize page (the mock's when TWURPLE_MOCK_API_PORT is set). */
  authorizeBase: string;
  /** Loads the stored tokens into the provider. Throws a clear error when tokens exist but the key is missing. */
  start(): Promise<void>;
  /** The bot account's user id, when a valid bot token is stored. */
  botUserId(): string | null;
  /** Whether a valid broadcaster token with the given scope is loaded for this channel. */
  hasBroadcasterToken(broadcasterId: string): boolean;
  /**
   * Exchanges an authorization code, checks the scopes and `allow` (a refusal reason or null),
   * stores the token encrypted and starts using it.
   */
  connect(role: TwitchRole, code: string, allow?: (user: { userId: string; login: string }) => Promise<string | null>): Promise<{ userId: string; login: string }>;
  /**
   * Who logged in, from an authorization code, for a dashboard login: the Twitch token is only
   * used to ask Twitch for the user and is neither stored nor given to the provider.
   */
  identify(code: string): Promise<{ userId: string; login: string }>;
  /** The bot's login and a fresh chat token (`oauth:…`), refreshed first when needed. */
  botChatCredentials(): Promise<{ username: string; token: string } | null>;
  readiness: ReadinessCheck;
}

export interface TwitchDeps {
  config: Config;
  db: Database;
  logger: Logger;
}

/** The login was refused (wrong account for the role); nothing was stored. */
export class TwitchAccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TwitchAccountError';
  }
}

export class TwitchScopeError extends Error {
  constructor(readonly missing: string[]) {
    super(`the token lacks the scopes ${missing.join(', ')}`);
    this.name = 'TwitchScopeError';
  }
}

/** Null when the Twitch app credentials are not configured: everything Twitch-specific then stays off. */
export function createTwitchIntegration(deps: TwitchDeps): TwitchIntegration | null {
  const { clientId, clientSecret } = deps.config.twitch;
  if (!clientId || !clientSecret) return null;
  const log = deps.logger.child({ component: 'twitch' });
  const store = createTokenStore(deps.db, deps.config.tokenEncryptionKey);
  const redirectUri = callbackUrl(deps.config.publicUrl);
  const provider = new RefreshingAuthProvider({ clientId, clientSecret, redirectUri });
  // Which loaded users hold which role; a refresh failure removes the user from both.
  const roles = new Map<string, Set<TwitchRole>>();

  provider.onRefresh((userId, token) => {
    store.saveRefreshed(userId, token).then(
      () => log.info({ userId }, 'Twitch token refreshed and stored'),
      (err: unknown) => log.error({ userId, err: safeError(err) }, 'storing a refreshed Twitch token failed'),
    );
  });
  provider.onRefreshFailure((userId, error) => {
    const reason = safeError(error).message;
    roles.delete(userId);
    store.markInvalid(userId, reason).catch((err: unknown) => log.error({ err: safeError(err) }, 'marking a Twitch token invalid failed'));
    log.error({ userId, err: { message: reason } }, 'Twitch token refresh failed; the token is marked invalid: log in again at /auth/twitch');
  });

  const twurpleLogger = {
    minLevel: 'warning',
    custom: (level: number, message: string) => {
      const text = redactSecrets(message);
      if (level <= 1) log.error({ source: 'twurple' }, text);
      else if (level === 2) log.warn({ source: 'twurple' }, text);
      else log.debug({ source: 'twurple' }, text);
    },
  };
  const api = new ApiClient({ authProvider: provider, logger: twurpleLogger });
  const mockPort = getMockApiPort();
  const authorizeBase = mockPort ? `http://localhost:${mockPort}/auth/authorize` : 'https://id.twitch.tv/oauth2/authorize';

  function addUser(userId: string, role: TwitchRole, token: AccessToken): void {
    const intents = role === 'bot' ? ['chat', 'bot'] : [`broadcaster:${userId}`];
    provider.addUser(userId, token, intents);
    const set = roles.get(userId) ?? new Set<TwitchRole>();
    set.add(role);
    roles.set(userId, set);
  }

  const botUserId = () => [...roles].find(([, set]) => set.has('bot'))?.[0] ?? null;

  return {
    api,
    store,
    provider,
    clientId,
    authorizeBase,
    async start() {
      for (const stored of await store.loadAll()) {
        if (stored.status !== 'valid') {
          log.warn({ role: stored.role, login: stored.login }, 'stored Twitch token is invalid: log in again at /auth/twitch');
          continue;
        }
        addUser(stored.userId, stored.role, stored.token);
      }
      log.info({ users: roles.size }, 'Twitch tokens loaded');
    },
    botUserId,
    hasBroadcasterToken: (broadcasterId) => roles.get(broadcasterId)?.has('broadcaster') ?? false,
    async connect(role, code, allow) {
      const token = await exchangeCode(clientId, clientSecret, code, redirectUri);
      const info = await getTokenInfo(token.accessToken, clientId);
      if (!info.userId || !info.userName) throw new Error('Twitch returned a token without a user');
      const scope = token.scope.length > 0 ? token.scope : info.scopes;
      const missing = missingScopes(role, scope);
      if (missing.length > 0) throw new TwitchScopeError(missing);
      const refusal = allow ? await allow({ userId: info.userId, login: info.userName }) : null;
      if (refusal) throw new TwitchAccountError(refusal);
      const full = { ...token, scope };
      await store.save({ userId: info.userId, role, login: info.userName, token: full });
      addUser(info.userId, role, full);
      log.info({ role, login: info.userName, userId: info.userId }, 'Twitch account connected');
      return { userId: info.userId, login: info.userName };
    },
    async identify(code) {
      const token = await exchangeCode(clientId, clientSecret, code, redirectUri);
      const info = await getTokenInfo(token.accessToken, clientId);
      if (!info.userId || !info.userName) throw new Error('Twitch returned a token without a user');
      return { userId: info.userId, login: info.userName };
    },
    async botChatCredentials() {
      const userId = botUserId();
      if (!userId) return null;
      const token = await provider.getAccessTokenForUser(userId);
      const login = (await store.summaries()).find((s) => s.userId === userId && s.role === 'bot')?.login;
      if (!token || !login) return null;
      return { username: login, token: `oauth:${token.accessToken}` };
    },
    readiness: {
      name: 'twitch',
      async check() {
        const invalid = (await store.summaries()).filter((s) => s.status === 'invalid');
        if (invalid.length > 0) {
          throw new Error(`Twitch token invalid for ${invalid.map((s) => `${s.role} ${s.login}`).join(', ')}: log in again at /auth/twitch`);
        }
      },
    },
  };
}
