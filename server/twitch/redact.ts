/**
 * Twurple puts the full request URL, query included, into its HTTP errors; for the token
 * endpoint that query holds the refresh token, the client secret or the authorization code.
 * Everything from Twitch that reaches a log passes through here first.
 */

const SECRET_PARAMS = /\b(refresh_token|access_token|client_secret|code|token|password)=([^&\s"']+)/gi;
const BEARER = /\b(Bearer|OAuth)\s+[A-Za-z0-9._~+/-]+=*/g;
const OAUTH_PREFIX = /\boauth:[A-Za-z0-9]+/gi;

/** `text` with every query-string secret, bearer value and `oauth:` token replaced. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_PARAMS, '$1=[redacted]').replace(BEARER, '$1 [redacted]').replace(OAUTH_PREFIX, 'oauth:[redacted]');
}

/** A log-safe description of an error: its name, HTTP status if any, and the redacted message. */
export function safeError(err: unknown): { name: string; statusCode?: number; message: string } {
  if (!(err instanceof Error)) return { name: 'Error', message: redactSecrets(String(err)) };
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  return {
    name: err.name,
    ...(typeof statusCode === 'number' ? { statusCode } : {}),
    message: redactSecrets(err.message).slice(0, 500),
  };
}
