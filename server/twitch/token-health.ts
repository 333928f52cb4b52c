/**
 * How Twitch tokens are judged: which refresh failures are final, and the `/validate` check
 * Twitch requires of every app at start-up and hourly for each token it uses.
 */
import { getTokenInfo, InvalidTokenError } from '@twurple/auth';

/**
 * Twitch answers a dead refresh token with 400 "Invalid refresh token"; only that is final.
 * A network error, a timeout or a 5xx says nothing about the token and is retried.
 */
export function isFinalRefreshFailure(error: unknown): boolean {
  const e = error as { statusCode?: unknown; body?: unknown; message?: unknown } | null;
  if (!e || e.statusCode !== 400) return false;
  const text = `${typeof e.body === 'string' ? e.body : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  return /invalid refresh token/i.test(text);
}

export type TokenValidity = { status: 'valid'; login: string | null; userId: string | null } | { status: 'invalid' } | { status: 'unknown'; error: unknown };

/**
 * Asks Twitch's `/validate` about an access token (with or without `oauth:`). `invalid` only on
 * Twitch's 401; any other failure is `unknown` and must not end a session.
 */
export async function validateAccessToken(accessToken: string, clientId?: string): Promise<TokenValidity> {
  try {
    const info = await getTokenInfo(accessToken.replace(/^oauth:/i, ''), clientId);
    return { status: 'valid', login: info.userName, userId: info.userId };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { status: 'invalid' };
    return { status: 'unknown', error };
  }
}

/** Twitch asks for an hourly validation of every token in use. */
export const VALIDATE_EVERY_MS = 60 * 60_000;

/** Backoff before a refresh that failed for a transient reason is tried again. */
export function refreshRetryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
}
