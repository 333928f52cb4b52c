/** What each Twitch login role needs, and the authorize URL (pure). */

export type TwitchRole = 'bot' | 'broadcaster';

export const ROLE_SCOPES: Readonly<Record<TwitchRole, readonly string[]>> = {
  bot: ['chat:read', 'chat:edit', 'moderator:read:chatters'],
  broadcaster: ['moderation:read', 'channel:read:redemptions', 'channel:manage:redemptions'],
};

export const isTwitchRole = (value: unknown): value is TwitchRole => value === 'bot' || value === 'broadcaster';

/**
 * What a login is for: connecting a Twitch account (`bot`, `broadcaster`: the token is stored), or
 * `moderator`, a dashboard login where Twitch only tells us who the person is (no scope, nothing
 * stored) and an API token of the channel is issued to its broadcaster or a synced moderator, or
 * `viewer`, the same identification from a channel's public board, which opens a session that
 * is only ever a chat viewer.
 */
export type LoginRole = TwitchRole | 'moderator' | 'viewer';

/** Logins that only identify the person: no scope asked, no Twitch token kept, one channel named. */
export const isIdentityLogin = (role: LoginRole): role is 'moderator' | 'viewer' => role === 'moderator' || role === 'viewer';

export const isLoginRole = (value: unknown): value is LoginRole => isTwitchRole(value) || value === 'moderator' || value === 'viewer';

const loginScopes = (role: LoginRole): readonly string[] => (isIdentityLogin(role) ? [] : ROLE_SCOPES[role]);

/**
 * The single-use OAuth state of a dashboard login carries the channel after a `.`: the
 * redirect URI must match Twitch's registration exactly, so the channel cannot ride on it, and
 * the whole state is the database key, so the suffix cannot be altered.
 */
export const stateWithChannel = (random: string, channel: string | null) => (channel ? `${random}.${channel}` : random);

export function channelOfState(state: string): string | null {
  const dot = state.indexOf('.');
  return dot === -1 ? null : state.slice(dot + 1) || null;
}

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
export function authorizeUrl(input: { authorizeBase: string; clientId: string; publicUrl: string; role: LoginRole; state: string }): string {
  const url = new URL(input.authorizeBase);
  url.searchParams.set('client_id', input.clientId);
  url.searchParams.set('redirect_uri', callbackUrl(input.publicUrl));
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', loginScopes(input.role).join(' '));
  url.searchParams.set('state', input.state);
  url.searchParams.set('force_verify', 'true');
  return url.toString();
}
