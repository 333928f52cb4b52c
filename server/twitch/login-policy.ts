/**
 * Who may connect which Twitch account through `/auth/twitch`. Anyone who can reach the server
 * can start that flow, so the policy, not the flow, decides whose token is stored.
 */
import type { LoginRole, TwitchRole } from './scopes.js';

/** Why the bot login is closed while no bot account is named, for the start-up log and the page. */
export const BOT_ACCOUNT_UNNAMED =
  'No bot account is named: set TWITCH_BOT_USERNAME to the chat bot\'s Twitch login and restart; until then /auth/twitch?as=bot is refused.';

export interface LoginPolicyDeps {
  /** The bot's Twitch login (TWITCH_BOT_USERNAME), lower case; without it nobody may become the bot. */
  botUsername: string | undefined;
  /** Registered channels, read at call time. */
  channels: () => Promise<ReadonlyArray<{ login: string; broadcasterId: string | null }>>;
}

/** Refusal reason for starting a login as `role`, or null (the account is checked after Twitch). */
export function loginStartRefusal(role: LoginRole, botUsername: string | undefined): string | null {
  return role === 'bot' && botUsername === undefined ? BOT_ACCOUNT_UNNAMED : null;
}

/** The `allow` check of the login routes: returns a reason to refuse `user` as `role`, or null. */
export function createLoginPolicy(deps: LoginPolicyDeps) {
  return async (role: TwitchRole, user: { userId: string; login: string }): Promise<string | null> => {
    if (role === 'bot') {
      const expected = deps.botUsername;
      if (expected === undefined) return BOT_ACCOUNT_UNNAMED;
      return user.login === expected ? null : `Log in as ${expected} (TWITCH_BOT_USERNAME), not ${user.login}.`;
    }
    const channels = await deps.channels();
    return channels.some((c) => c.broadcasterId === user.userId || c.login === user.login)
      ? null
      : `${user.login} is not a channel of this Mission Link; add the channel first.`;
  };
}
