/**
 * Names and ids of the people who act on a channel, read across the tables that know them. A
 * moderator who judges a mission but never pledged, proposed or chatted has no `users` row; the
 * synced moderator list, the channel's broadcaster and the dashboard sessions still know them.
 * Reads only: each of these tables is written by its own module.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { arrayParam } from '../../db/array-param.js';

export interface PersonNames {
  userId: string;
  login: string;
  displayName: string;
}

/** Every user id that holds or held `login` (lower case) in any of those tables. */
export async function userIdsForLogin(tx: Executor, channelId: number, login: string): Promise<string[]> {
  const result = await tx.execute(sql`
    SELECT user_id FROM users WHERE login = ${login}
    UNION SELECT user_id FROM channel_moderators WHERE channel_id = ${channelId} AND login = ${login}
    UNION SELECT broadcaster_id FROM channels WHERE id = ${channelId} AND login = ${login} AND broadcaster_id IS NOT NULL
    UNION SELECT user_id FROM dashboard_sessions WHERE kind = 'twitch' AND login = ${login}`);
  return (result.rows as { user_id: string }[]).map((r) => r.user_id);
}

/**
 * Names of users that `users` does not hold: from the synced moderator lists, then the newest
 * dashboard session. Ids found nowhere are left out.
 */
export async function namesOutsideUsers(tx: Executor, userIds: readonly string[]): Promise<Map<string, PersonNames>> {
  const names = new Map<string, PersonNames>();
  if (userIds.length === 0) return names;
  const result = await tx.execute(sql`
    SELECT DISTINCT ON (user_id) user_id, login, display_name FROM (
      SELECT user_id, login, display_name, 0 AS rank, synced_at AS at FROM channel_moderators
      WHERE user_id = ANY(${arrayParam(userIds)}::text[])
      UNION ALL
      SELECT user_id, login, coalesce(display_name, login), 1, created_at FROM dashboard_sessions
      WHERE kind = 'twitch' AND user_id = ANY(${arrayParam(userIds)}::text[])
    ) known ORDER BY user_id, rank, at DESC`);
  for (const r of result.rows as { user_id: string; login: string; display_name: string }[]) {
    names.set(r.user_id, { userId: r.user_id, login: r.login, displayName: r.display_name });
  }
  return names;
}
