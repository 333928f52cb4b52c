/**
 * Watch-time accrual's reads and chat records. The job (`creditInterval` in accrual-job.ts)
 * lists the interval's viewers once (`intervalViewers`: the present chatters plus those who
 * chatted, sorted by user id) and credits them a few thousand at a time, each chunk its own
 * short transaction (`creditAccrualChunk` in server/ledger/accrual.ts, which writes the wallets,
 * journal rows and balances).
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { ChatUser } from '../domain/actor.js';
import { upsertChangedUsers } from '../repositories/channels-repository.js';
import { arrayParam } from '../../db/array-param.js';
import type { AccrualViewer } from '../ledger/accrual.js';

export interface AccrualBatch {
  channelId: number;
  /** Start of the interval being credited: the idempotency key together with channel and viewer. */
  intervalStart: Date;
  /** Viewers who chatted at or after this moment earn the bonus (and count as present). */
  chattedSince: Date;
  amount: number;
  chatBonus: number;
  startingBalance: number;
  /** Present viewers (Get Chatters); empty in the chat-activity fallback. */
  viewers: readonly ChatUser[];
  /** Who earns nothing: the broadcaster, the bot, other bots (by user id or login, lower case). */
  excluded?: { userIds: readonly string[]; logins: readonly string[] };
}

/** Orders by user id (Twitch ids are digits: the order of `COLLATE "C"` too), the lock order of user rows. */
const byUserId = (a: { userId: string }, b: { userId: string }): number => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0);

/** Remembers that a viewer chatted (for the bonus and the fallback); also records or renames the user. */
export async function recordChatActivity(tx: Executor, channelId: number, user: ChatUser, at: Date): Promise<void> {
  await recordChatActivities(tx, channelId, [{ user, at }]);
}

/**
 * Many viewers' latest chat at once (user ids distinct): users are recorded or renamed first
 * (`upsertChangedUsers`, which leaves unchanged users unlocked), then each viewer's last chat
 * time, in user-id order, only moves forward.
 */
export async function recordChatActivities(tx: Executor, channelId: number, chats: readonly { user: ChatUser; at: Date }[]): Promise<void> {
  if (chats.length === 0) return;
  await upsertChangedUsers(tx, chats.map((c) => c.user));
  const sorted = [...chats].sort((a, b) => byUserId(a.user, b.user));
  await tx.execute(sql`
    INSERT INTO chat_activity (channel_id, user_id, last_chat_at)
    SELECT ${channelId}, u, at FROM unnest(${arrayParam(sorted.map((c) => c.user.userId))}::text[],
                                           ${arrayParam(sorted.map((c) => c.at.toISOString()))}::timestamptz[]) AS t(u, at)
    ON CONFLICT (channel_id, user_id) DO UPDATE SET last_chat_at = GREATEST(chat_activity.last_chat_at, excluded.last_chat_at)`);
}

/**
 * The interval's viewers, each once, sorted by user id: the present ones plus everyone who chatted
 * since `chattedSince` (the fallback when Get Chatters is unavailable); chatting earns the bonus.
 * Read once, outside the chunks' transactions (a plain read of the channel's chat_activity rows).
 */
export async function intervalViewers(
  db: Executor,
  batch: Pick<AccrualBatch, 'channelId' | 'chattedSince' | 'viewers' | 'excluded'>,
): Promise<AccrualViewer[]> {
  const ids = new Set(batch.excluded?.userIds ?? []);
  const logins = [...new Set((batch.excluded?.logins ?? []).map((l) => l.toLowerCase()))];
  const loginSet = new Set(logins);
  const byId = new Map<string, AccrualViewer>();
  for (const user of batch.viewers) {
    if (ids.has(user.userId) || loginSet.has(user.login.toLowerCase())) continue;
    byId.set(user.userId, { userId: user.userId, user, chatted: false });
  }
  const talkers = await db.execute(sql`
    SELECT a.user_id FROM chat_activity a LEFT JOIN users u ON u.user_id = a.user_id
    WHERE a.channel_id = ${batch.channelId} AND a.last_chat_at >= ${batch.chattedSince}
      AND a.user_id <> ALL(${arrayParam([...ids])}::text[])
      AND (u.login IS NULL OR lower(u.login) <> ALL(${arrayParam(logins)}::text[]))`);
  for (const row of talkers.rows as { user_id: string }[]) {
    const known = byId.get(row.user_id);
    if (known) known.chatted = true;
    else byId.set(row.user_id, { userId: row.user_id, user: null, chatted: true });
  }
  return [...byId.values()].sort(byUserId);
}
