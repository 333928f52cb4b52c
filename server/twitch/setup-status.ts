/**
 * What the set-up checklist and `/readyz` need to know about Twitch, without any secret: the
 * chat connection's standing and whether it counts as ready.
 */
import type { ChatStatus } from '../../bot/chat-client.js';
import type { ReadinessCheck } from '../http/plugins/health.js';

/** A disconnection shorter than this (a routine RECONNECT, a network blip) keeps the bot ready. */
export const CHAT_GRACE_MS = 60_000;

/** Why chat is not ready, or null. Pure. */
export function chatProblem(status: ChatStatus, now: number): string | null {
  switch (status.state) {
    case 'connected':
    case 'not_configured':
      return null;
    case 'login_failed':
    case 'token_invalid':
      return status.error ?? status.state;
    case 'closed':
      return 'chat is closed';
    case 'connecting':
      return now - status.since > CHAT_GRACE_MS ? `chat disconnected since ${new Date(status.since).toISOString()}` : null;
  }
}

/** The `chat` readiness check: fails while Twitch refuses the bot or chat has been down past the grace. */
export function chatReadiness(bot: { status(): ChatStatus }, now: () => number): ReadinessCheck {
  return {
    name: 'chat',
    async check() {
      const problem = chatProblem(bot.status(), now());
      if (problem) throw new Error(problem);
    },
  };
}
