/**
 * Reading the bot's own standing in a channel from Twitch's USERSTATE tags, which decides
 * whether the 20 or the 100 per 30 s limit applies there.
 */

/** The USERSTATE tags we look at, as tmi.js parses them (`mod` may be a boolean or '1'). */
export interface UserstateTags {
  mod?: boolean | string | null;
  badges?: Record<string, string | undefined> | null;
  'user-type'?: string | null;
}

/**
 * True when the bot is moderator or broadcaster in the channel. VIPs are left out: Twitch's
 * documentation promises the higher limit to moderators and broadcasters only, and guessing
 * wrong costs a 30-minute silence.
 */
export function hasModeratorRate(tags: UserstateTags): boolean {
  if (tags.mod === true || tags.mod === '1') return true;
  if (tags['user-type'] === 'mod') return true;
  const badges = tags.badges ?? {};
  return badges.broadcaster !== undefined || badges.moderator !== undefined;
}
