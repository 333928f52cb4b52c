/**
 * Command words. Kept small on purpose: every alias is a word the bot answers to in channels
 * that may run other bots, and every `!mission` sub-command word cannot start a proposal.
 * Matching is case-insensitive; these lists are lower case.
 */

/** Top-level commands (without the `!`). */
export const COMMAND_ALIASES = {
  mission: ['mission', 'm', '미션'],
  missions: ['missions', '미션목록'],
  pledge: ['pledge', 'back', '참여'],
  points: ['points', 'balance', 'bal', '포인트'],
} as const satisfies Record<string, readonly string[]>;

export type TopLevelCommand = keyof typeof COMMAND_ALIASES;

/** `!mission <word> …` sub-commands (moderator actions; roles are checked elsewhere). */
export const MISSION_SUBCOMMAND_ALIASES = {
  approve: ['approve', '승인'],
  reject: ['reject', '거절'],
  success: ['success', '성공'],
  fail: ['fail', '실패'],
  cancel: ['cancel', '취소'],
  extend: ['extend', '연장'],
  pause: ['pause', '중지'],
  resume: ['resume', '재개'],
} as const satisfies Record<string, readonly string[]>;

export type MissionSubcommand = keyof typeof MISSION_SUBCOMMAND_ALIASES;

/** `!points <word> @user <amount>` sub-commands. */
export const POINTS_SUBCOMMAND_ALIASES = {
  give: ['give', '지급'],
  take: ['take', '회수'],
} as const satisfies Record<string, readonly string[]>;

export type PointsSubcommand = keyof typeof POINTS_SUBCOMMAND_ALIASES;

/** Builds a word → name lookup from an alias table. */
export function aliasLookup<N extends string>(table: Record<N, readonly string[]>): ReadonlyMap<string, N> {
  const map = new Map<string, N>();
  for (const name of Object.keys(table) as N[]) {
    for (const word of table[name]) map.set(word, name);
  }
  return map;
}
