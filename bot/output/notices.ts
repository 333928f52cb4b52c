/**
 * What a Twitch NOTICE about the bot's own line means for the outbox. Twitch answers a PRIVMSG
 * it will not show with a NOTICE whose `msg-id` says why; the line is gone unless we send it
 * again. Pure: the outbox core acts on the classification.
 */

export type NoticeEffect =
  /** Sent too fast, too soon after an identical line, or in slow mode: wait, then resend it. */
  | { kind: 'retry'; backoffMs: number }
  /** The bot cannot speak in this channel for now: hold lines until told otherwise. */
  | { kind: 'muted'; reason: string; retryAfterMs: number }
  /** Automod held or refused this one line: it will not be shown, and resending will not help. */
  | { kind: 'refused' }
  /** Informational or unrelated to the bot's lines. */
  | { kind: 'none' };

const RETRY_MS: Record<string, number> = {
  msg_ratelimit: 2_000,
  msg_duplicate: 0,
  msg_slowmode: 1_500,
  msg_r9k: 0,
};

/** How long to stay quiet before one line tests whether the restriction is gone. */
const MUTED_PROBE_MS = 60_000;

const MUTING = new Set([
  'msg_banned',
  'msg_timedout',
  'msg_channel_suspended',
  'msg_suspended',
  'msg_followersonly',
  'msg_followersonly_followed',
  'msg_followersonly_zero',
  'msg_subsonly',
  'msg_emoteonly',
  'msg_requires_verified_phone_number',
  'msg_verified_email',
  'msg_channel_blocked',
]);

const REFUSED = new Set(['msg_rejected', 'msg_rejected_mandatory']);

/** Reads "You are timed out for 593 more seconds." into milliseconds. */
function timeoutMs(text: string): number | null {
  const match = /(\d+) more seconds?/i.exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/** Classifies a NOTICE by its `msg-id` (and its text, for a timeout's length). */
export function noticeEffect(msgId: string, text = ''): NoticeEffect {
  const retry = RETRY_MS[msgId];
  if (retry !== undefined) return { kind: 'retry', backoffMs: retry };
  if (MUTING.has(msgId)) {
    const wait = msgId === 'msg_timedout' ? timeoutMs(text) : null;
    return { kind: 'muted', reason: msgId, retryAfterMs: wait === null ? MUTED_PROBE_MS : wait + 1_000 };
  }
  if (REFUSED.has(msgId)) return { kind: 'refused' };
  return { kind: 'none' };
}
