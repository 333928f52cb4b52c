/** What each Twitch login role needs, and the authorize URL (pure). */

export type TwitchRole = 'bot' | 'broadcaster';

export const ROLE_SCOPES: Readonly<Record<TwitchRole, readonly string[]>> = {
  bot: ['chat:read', 'chat:edit', 'moderator:read:chatters'],
  broadcaster: ['moderation:read', 'channel:read:redemptions', 'channel:manage:redemptions'],
};

export const isTwitchRole = (value: unknown): value is TwitchRole => value === 'bot' || value === 'broadcaster';

/** Scopes of `role` that `granted` lacks. */
export function missingScopes(role: TwitchRole, granted: readonly string[]): string[] {
  return ROLE_SCOPES[role].filter((s) => !granted.includes(s));
}

export const callbackUrl = (publicUrl: string) => `${publicUrl}/auth/twitch/callback`;

/**
 * Twitch's authorize page. `authorizeBase` is `https://id.twitch.tv/oauth2/authorize` in
 * production (tests point it at the mock). `force_verify` lets a streamer pick the bot account
 * even while logged in to Twitch as themself.
 */
export function authorizeUrl(input: { authorizeBase: string; clientId: string; publicUrl: string; role: TwitchRole; state: string }): string {
  const url = new URL(input.authorizeBase);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', callbackUrl(input.publicUrl));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', ROLE_SCOPES[input.role].join(' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('force_verify', 'true');
  return url.toString();
}
