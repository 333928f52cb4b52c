/**
 * What the set-up checklist and `/readyz` need to know about Twitch, without any secret: the
 * chat connection's standing and whether it counts as ready, and the remembered outcome of
 * set-up steps any process may have run (reward creation).
 */
import { sql } from 'drizzle-orm';
import type { ChatStatus } from '../ports/chat-client.js';
import type { Executor } from '../../db/client.js';
import type { ReadinessCheck } from '../ports/readiness.js';

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

/**
 * The `chat` readiness check: fails while Twitch refuses the bot, chat has been down past the
 * grace, or Twitch refuses the bot's lines in a channel (banned, timed out, a chat mode it may not
 * speak in): its announcements wait there, verdicts included, until someone acts.
 */
export function chatReadiness(
  bot: { status(): ChatStatus; mutedChannels?(): { channel: string; reason: string }[] },
  now: () => number,
): ReadinessCheck {
  return {
    name: 'chat',
    async check() {
      const problem = chatProblem(bot.status(), now());
      if (problem) throw new Error(problem);
      const muted = bot.mutedChannels?.() ?? [];
      if (muted.length > 0) throw new Error(`Twitch refuses the bot's lines in ${muted.map((m) => `#${m.channel} (${m.reason})`).join(', ')}`);
    },
  };
}

/** One remembered outcome of a set-up step. */
export interface SetupStep {
  key: string;
  channelId: number | null;
  ok: boolean;
  detail: string | null;
  updatedAt: string;
}

export const rewardStepKey = (channelId: number) => `reward:${channelId}`;

/** Records the outcome of a set-up step (a reward created, or why not). */
export async function recordSetupStep(db: Executor, key: string, outcome: { ok: boolean; detail?: string | null; channelId?: number | null }): Promise<void> {
  await db.execute(sql`
    INSERT INTO twitch_setup_status (key, channel_id, ok, detail, updated_at)
    VALUES (${key}, ${outcome.channelId ?? null}, ${outcome.ok}, ${outcome.detail?.slice(0, 500) ?? null}, now())
    ON CONFLICT (key) DO UPDATE SET channel_id = excluded.channel_id, ok = excluded.ok, detail = excluded.detail, updated_at = now()`);
}

/** Every remembered set-up outcome (the dashboard's checklist reads this; it holds no secret). */
export async function listSetupSteps(db: Executor): Promise<SetupStep[]> {
  const result = await db.execute(sql`SELECT key, channel_id, ok, detail, updated_at FROM twitch_setup_status ORDER BY key`);
  return (result.rows as { key: string; channel_id: number | null; ok: boolean; detail: string | null; updated_at: Date | string }[]).map((r) => ({
    key: r.key,
    channelId: r.channel_id === null ? null : Number(r.channel_id),
    ok: r.ok,
    detail: r.detail,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

/**
 * Why Twitch refused to create the reward, in words for the streamer. Twitch answers 403 when
 * the channel is neither Affiliate nor Partner, and 400 CREATE_CUSTOM_REWARD_DUPLICATE_REWARD
 * when a reward of that title exists (made by hand or by another app).
 */
export function rewardProblem(err: unknown): string {
  const e = err as { statusCode?: unknown; body?: unknown; message?: unknown };
  const text = `${typeof e.body === 'string' ? e.body : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  if (e.statusCode === 403 && /affiliate|partner/i.test(text)) {
    return 'Channel points need an Affiliate or Partner channel: the "Mission points" reward could not be created. Mission Link works without it.';
  }
  if (/DUPLICATE_REWARD/i.test(text)) {
    return 'A channel-point reward named "Mission points" already exists but was not made by Mission Link: rename or delete it on Twitch, then log in as the broadcaster again.';
  }
  return 'Twitch did not create the "Mission points" reward; log in as the broadcaster again to retry.';
}

export const CHAT_STEP_KEY = 'chat';

/** Everything the set-up checklist shows about Twitch, from any process, without a secret. */
export interface TwitchSetup {
  /** Stored logins: bot and broadcasters, `invalid` with the reason when Twitch refused them. */
  tokens: { role: 'bot' | 'broadcaster'; login: string; userId: string; status: 'valid' | 'invalid'; error: string | null }[];
  /** The bot's chat connection as last recorded by the bot process (null before it ever ran). */
  chat: SetupStep | null;
  /** Per channel: whether its "Mission points" reward exists, or why Twitch refused it. */
  rewards: SetupStep[];
}

export async function readTwitchSetup(db: Executor): Promise<TwitchSetup> {
  const tokens = await db.execute(sql`SELECT user_id, role, login, status, error FROM twitch_tokens ORDER BY role, login`);
  const steps = await listSetupSteps(db);
  return {
    tokens: (tokens.rows as { user_id: string; role: 'bot' | 'broadcaster'; login: string; status: 'valid' | 'invalid'; error: string | null }[]).map((r) => ({
      role: r.role,
      login: r.login,
      userId: r.user_id,
      status: r.status,
      error: r.error,
    })),
    chat: steps.find((s) => s.key === CHAT_STEP_KEY) ?? null,
    rewards: steps.filter((s) => s.key.startsWith('reward:')),
  };
}

/** How often the bot rewrites an unchanged chat standing, so a stale `updatedAt` means the bot process is gone. */
export const CHAT_HEARTBEAT_MS = 60_000;

/**
 * Writes the bot's chat standing for the other processes whenever it changes (checked every
 * `everyMs`) and at least every {@link CHAT_HEARTBEAT_MS}: the status lives in the bot
 * process's memory, the checklist may be served by another.
 */
export function recordChatStatus(db: Executor, bot: { status(): ChatStatus }, now: () => number, everyMs = 5_000): () => void {
  let last = '';
  let writtenAt = Number.NEGATIVE_INFINITY;
  const write = (): void => {
    const status = bot.status();
    const problem = chatProblem(status, now());
    const detail = problem ?? status.state;
    const key = `${problem === null} ${detail}`;
    if (key === last && now() - writtenAt < CHAT_HEARTBEAT_MS) return;
    last = key;
    writtenAt = now();
    recordSetupStep(db, CHAT_STEP_KEY, { ok: problem === null, detail }).catch(() => {
      last = '';
    });
  };
  write();
  const timer = setInterval(write, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
