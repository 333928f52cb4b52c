/**
 * Moderator sync (issue 5): the channel's Helix moderator list is mirrored into
 * `channel_moderators`, replaced as a whole on each sync so removals are followed too.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { arrayParam } from '../repositories/ledger-repository.js';
import type { Helix, TwitchUser } from './helix.js';

export async function replaceModerators(db: Database, channelId: number, moderators: readonly TwitchUser[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM channel_moderators WHERE channel_id = ${channelId}`);
    if (moderators.length === 0) return;
    await tx.execute(sql`
      INSERT INTO channel_moderators (channel_id, user_id, login, display_name)
      SELECT ${channelId}, id, login, name
      FROM unnest(${arrayParam(moderators.map((m) => m.id))}::text[], ${arrayParam(moderators.map((m) => m.login))}::text[],
                  ${arrayParam(moderators.map((m) => m.displayName))}::text[]) AS m(id, login, name)
      ON CONFLICT DO NOTHING`);
  });
}

/** The stored moderators of a channel, by login. */
export async function listModerators(db: Executor, channelId: number): Promise<TwitchUser[]> {
  const result = await db.execute(sql`
    SELECT user_id, login, display_name FROM channel_moderators WHERE channel_id = ${channelId} ORDER BY login`);
  return (result.rows as { user_id: string; login: string; display_name: string }[]).map((r) => ({
    id: r.user_id,
    login: r.login,
    displayName: r.display_name,
  }));
}

/** Whether the Twitch user moderates the channel, per the last sync. */
export async function isChannelModerator(db: Executor, channelId: number, userId: string): Promise<boolean> {
  const result = await db.execute(sql`SELECT 1 FROM channel_moderators WHERE channel_id = ${channelId} AND user_id = ${userId}`);
  return result.rows.length > 0;
}

export async function syncModerators(db: Database, helix: Helix, channelId: number, broadcasterId: string): Promise<number> {
  const moderators = await helix.moderators(broadcasterId);
  await replaceModerators(db, channelId, moderators);
  return moderators.length;
}
