/** What to do when the chat bot has no account to log in with, in the words of the set-up guide. */
import type { Config } from '../config.js';

export function botSetupHint(config: Pick<Config, 'publicUrl' | 'twitch' | 'tokenEncryptionKey'>): string {
  const login = `${config.publicUrl}/auth/twitch?as=bot`;
  const { clientId, clientSecret, botUsername } = config.twitch;
  if (!clientId || !clientSecret) {
    return (
      'set up the Twitch app (TWITCH_CLIENT_ID, TWITCH_CLIENT_SECRET, TOKEN_ENCRYPTION_KEY) and TWITCH_BOT_USERNAME and restart, ' +
      `then log in as the bot at ${login} (or set TWITCH_BOT_USERNAME and TWITCH_BOT_TOKEN)`
    );
  }
  if (!botUsername) return `set TWITCH_BOT_USERNAME to the bot's login and restart, then log in as the bot at ${login}`;
  return `log in as the bot account (${botUsername}) at ${login}; the bot joins chat within seconds, no restart needed`;
}
