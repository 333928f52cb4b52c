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
import type { ReadinessCheck } from '../ports/readiness.js';
import { redactSecrets, safeError } from './redact.js';
import { callbackUrl, missingScopes, type TwitchRole } from './scopes.js';
import { isFinalRefreshFailure, refreshRetryDelay, validateAccessToken } from './token-health.js';
import { createTokenStore, type TokenStore } from './token-store.js';

/** A token of this process changed standing (a login, an invalidation); other roles reload. */
export interface TokenChange {
  userId: string;
  role: TwitchRole;
  status: 'valid' | 'invalid';
}

/** One loaded token after a `/validate` round. */
export interface TokenCheck {
  userId: string;
  roles: TwitchRole[];
  status: 'valid' | 'invalid' | 'unknown';
}

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
  /**
   * The bot's login and a fresh chat token (`oauth:…`), refreshed first when needed, or always
   * when `refresh` is set (Twitch refused the one it has).
   */
  botChatCredentials(options?: { refresh?: boolean }): Promise<{ username: string; token: string } | null>;
  /**
   * Re-reads the stored tokens: loads new or newer valid ones and drops those marked invalid or
   * deleted elsewhere (another process handled the login or found the token dead).
   */
  reload(): Promise<void>;
  /**
   * Asks Twitch's `/validate` about every loaded token; a token Twitch calls invalid that a
   * refresh cannot replace is marked invalid and dropped. Network trouble changes nothing.
   */
  validate(): Promise<TokenCheck[]>;
  /** Called when a token becomes invalid in this process (a login is announced by its caller). */
  onTokenChange(listener: (change: TokenChange) => void): () => void;
  readiness: ReadinessCheck;
}

export interface TwitchDeps {
  config: Config;
  db: Database;
  logger: Logger;
  /** Backoff for refreshes that failed for a transient reason (tests shorten it). Default 5 s to 5 min. */
  refreshRetry?: { baseMs: number; maxMs: number };
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

  // The last token each user was loaded or refreshed with: a transient refresh failure puts it
  // back, which also clears twurple's cached failure (it would otherwise refuse the user for good).
  const lastToken = new Map<string, AccessToken>();
  const retries = new Map<string, { attempt: number; timer: NodeJS.Timeout | null }>();
  const listeners = new Set<(change: TokenChange) => void>();
  // Invalidations under way, so a caller that saw the refresh fail can wait for the record.
  const invalidating = new Map<string, Promise<void>>();
  const retryPolicy = deps.refreshRetry ?? { baseMs: 5_000, maxMs: 5 * 60_000 };

  const notify = (change: TokenChange): void => {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch (err) {
        log.error({ err: safeError(err) }, 'token change listener threw');
      }
    }
  };

  /** Drops the user from this process and records why; every role of theirs stops working. */
  async function invalidate(userId: string, reason: string): Promise<void> {
    const had = [...(roles.get(userId) ?? [])];
    roles.delete(userId);
    lastToken.delete(userId);
    const retry = retries.get(userId);
    if (retry?.timer) clearTimeout(retry.timer);
    retries.delete(userId);
    if (provider.hasUser(userId)) provider.removeUser(userId);
    await store.markInvalid(userId, reason).catch((err: unknown) => log.error({ err: safeError(err) }, 'marking a Twitch token invalid failed'));
    for (const role of had) notify({ userId, role, status: 'invalid' });
  }

  /**
   * Twitch refused our refresh token. When another process (server, worker, bot share the
   * stored token) refreshed first, its rotated token is in the database: take it. Only when the
   * stored token is the one refused is the login dead.
   */
  async function adoptOrInvalidate(userId: string, reason: string): Promise<void> {
    const used = lastToken.get(userId)?.refreshToken;
    const stored = (await store.loadAll().catch(() => [])).find((t) => t.userId === userId && t.status === 'valid');
    if (stored && stored.token.refreshToken && stored.token.refreshToken !== used && roles.has(userId)) {
      for (const role of roles.get(userId) ?? []) addUser(userId, role, stored.token);
      log.info({ userId }, 'Twitch token refreshed by another process; using the stored one');
      return;
    }
    log.error({ userId, err: { message: reason } }, 'Twitch token refresh failed: Twitch refused the refresh token, so the token is marked invalid: log in again at /auth/twitch');
    await invalidate(userId, 'Twitch refused the refresh token (revoked or expired)');
  }

  provider.onRefresh((userId, token) => {
    lastToken.set(userId, token);
    retries.delete(userId);
    store.saveRefreshed(userId, token).then(
      () => log.info({ userId }, 'Twitch token refreshed and stored'),
      (err: unknown) => log.error({ userId, err: safeError(err) }, 'storing a refreshed Twitch token failed'),
    );
  });
  provider.onRefreshFailure((userId, error) => {
    const reason = safeError(error).message;
    if (isFinalRefreshFailure(error)) {
      const done = adoptOrInvalidate(userId, reason);
      invalidating.set(userId, done);
      void done.finally(() => invalidating.delete(userId));
      return;
    }
    const retry = retries.get(userId) ?? { attempt: 0, timer: null };
    if (retry.timer) return;
    retry.attempt += 1;
    const delay = refreshRetryDelay(retry.attempt, retryPolicy.baseMs, retryPolicy.maxMs);
    retry.timer = setTimeout(() => {
      retry.timer = null;
      const token = lastToken.get(userId);
      const intents = provider.getIntentsForUser(userId);
      if (token && roles.has(userId)) provider.addUser(userId, token, intents);
    }, delay);
    retry.timer.unref();
    retries.set(userId, retry);
    log.warn({ userId, attempt: retry.attempt, retryInMs: delay, err: safeError(error) }, 'Twitch token refresh failed for a transient reason; retrying');
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
    const kept = provider.hasUser(userId) ? provider.getIntentsForUser(userId) : [];
    provider.addUser(userId, token, [...new Set([...kept, ...intents])]);
    lastToken.set(userId, token);
    const set = roles.get(userId) ?? new Set<TwitchRole>();
    set.add(role);
    roles.set(userId, set);
  }

  async function checkUser(userId: string): Promise<TokenCheck['status']> {
    let token: AccessToken | null;
    try {
      token = await provider.getAccessTokenForUser(userId);
    } catch {
      // A refresh that failed: final ones already invalidated the user, transient ones retry.
      await invalidating.get(userId);
      return roles.has(userId) ? 'unknown' : 'invalid';
    }
    if (!token) return 'invalid';
    let verdict = await validateAccessToken(token.accessToken, clientId);
    if (verdict.status === 'invalid') {
      // Revoked or expired early: a refresh may still replace it; a refused one is final.
      try {
        const fresh = await provider.refreshAccessTokenForUser(userId);
        verdict = await validateAccessToken(fresh.accessToken, clientId);
      } catch {
        await invalidating.get(userId);
        return roles.has(userId) ? 'unknown' : 'invalid';
      }
    }
    if (verdict.status === 'invalid') {
      log.error({ userId }, 'Twitch reports the token invalid; its sessions are closed: log in again at /auth/twitch');
      await invalidate(userId, 'Twitch reports the token invalid (revoked, or the password changed)');
      return 'invalid';
    }
    if (verdict.status === 'unknown') log.warn({ userId, err: safeError(verdict.error) }, 'Twitch token validation did not complete; trying again later');
    return verdict.status;
  }

  const botUserId = () => [...roles].find(([, set]) => set.has('bot'))?.[0] ?? null;

  return {
    api,
    store,
    provider,
    clientId,
    authorizeBase,
    onTokenChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async reload() {
      const stored = await store.loadAll();
      const keep = new Map<string, Set<TwitchRole>>();
      for (const row of stored) {
        if (row.status !== 'valid') continue;
        keep.set(row.userId, (keep.get(row.userId) ?? new Set()).add(row.role));
        const loaded = lastToken.get(row.userId);
        const newer = !loaded || (row.token.obtainmentTimestamp ?? 0) > (loaded.obtainmentTimestamp ?? 0) || loaded.accessToken !== row.token.accessToken;
        if (!roles.get(row.userId)?.has(row.role) || newer) addUser(row.userId, row.role, row.token);
      }
      for (const [userId, had] of [...roles]) {
        const still = keep.get(userId);
        if (!still) {
          roles.delete(userId);
          lastToken.delete(userId);
          if (provider.hasUser(userId)) provider.removeUser(userId);
          continue;
        }
        for (const role of had) if (!still.has(role)) had.delete(role);
      }
    },
    async validate() {
      const checks: TokenCheck[] = [];
      for (const [userId, set] of [...roles]) {
        const userRoles = [...set];
        checks.push({ userId, roles: userRoles, status: await checkUser(userId) });
      }
      return checks;
    },
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
      retries.delete(info.userId);
      // Other roles hear of it from the caller once the login's own set-up (the reward) is done.
      log.info({ role, login: info.userName, userId: info.userId }, 'Twitch account connected');
      return { userId: info.userId, login: info.userName };
    },
    async identify(code) {
      const token = await exchangeCode(clientId, clientSecret, code, redirectUri);
      const info = await getTokenInfo(token.accessToken, clientId);
      if (!info.userId || !info.userName) throw new Error('Twitch returned a token without a user');
      return { userId: info.userId, login: info.userName };
    },
    async botChatCredentials(options = {}) {
      const userId = botUserId();
      if (!userId) return null;
      let token;
      try {
        token = options.refresh ? await provider.refreshAccessTokenForUser(userId) : await provider.getAccessTokenForUser(userId);
      } catch (err) {
        // A refused refresh is being judged (another process's rotated token, or a dead login).
        await invalidating.get(userId);
        throw err;
      }
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
