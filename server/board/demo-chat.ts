/**
 * The demo chat panel's link to the local chat simulator (`npm run demo`): the dashboard posts a
 * line as any viewer or moderator, and sees the channel's chat, the bot's replies included. Only
 * present when the bot talks to an in-process simulator; the server knows nothing else of it.
 */
export type DemoChatRole = 'viewer' | 'moderator';

export interface DemoChatLine {
  id: string;
  channel: string;
  login: string;
  displayName: string;
  /** `bot` for the bot's own messages. */
  role: DemoChatRole | 'broadcaster' | 'bot';
  bot: boolean;
  text: string;
  /** ISO 8601. */
  at: string;
}

export interface DemoChat {
  /** Says `text` in `channel` as `login` (made a moderator there, or not, first). */
  say(channel: string, login: string, role: DemoChatRole, text: string): DemoChatLine;
  /** Every line said through `say` and every bot message; returns an unsubscribe function. */
  onLine(handler: (line: DemoChatLine) => void): () => void;
}
