/**
 * Moderator sync: the channel's Helix moderator list is mirrored into
 * `channel_moderators`, replaced as a whole on each sync so removals are followed too.
 */
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { arrayParam } from '../../db/array-param.js';
import type { Helix, TwitchUser } from './helix.js';

/**
 * Label of a dashboard token issued by the Twitch login: the Twitch user id comes first so a
 * moderator sync can find (and revoke) the tokens of people who are no longer moderators.
 */
export const twitchTokenLabel = (userId: string, login: string, role: 'owner' | 'moderator') =>
  `twitch:${userId} ${role} ${login}, issued by the Twitch login`;

/**
 * Revokes the channel's Twitch-login moderator tokens whose user is not in `keep`. Returns how
 * many were revoked. Tokens made by hand (any other label) are left alone.
 */
export async function revokeFormerModeratorTokens(db: Executor, channelId: number, keep: readonly string[], now: Date): Promise<number> {
  const result = await db.execute(sql`
    UPDATE api_tokens SET revoked_at = ${now}
    WHERE channel_id = ${channelId} AND role = 'moderator' AND revoked_at IS NULL AND label LIKE 'twitch:%'
      AND split_part(substr(label, 8), ' ', 1) <> ALL(${arrayParam(keep)}::text[])
    RETURNING id`);
  return result.rows.length;
}

/**
 * Replaces the channel's moderator list; in the same transaction the Twitch-login tokens of
 * anyone no longer a moderator are revoked, so an unmod takes effect at the next sync.
 */
export async function replaceModerators(db: Database, channelId: number, moderators: readonly TwitchUser[], now: Date = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM channel_moderators WHERE channel_id = ${channelId}`);
    await revokeFormerModeratorTokens(tx, channelId, moderators.map((m) => m.id), now);
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

/** Mirrors the channel's Helix moderators (broadcaster token needed) and revokes former moderators' tokens. */
export async function syncModerators(db: Database, helix: Pick<Helix, 'moderators'>, channelId: number, broadcasterId: string, now: Date = new Date()): Promise<number> {
  const moderators = await helix.moderators(broadcasterId);
  await replaceModerators(db, channelId, moderators, now);
  return moderators.length;
}
