import type { Catalog } from './keys.js';

/** English replies: short, mission number first, the channel's currency name. */
export const en: Catalog = {
  proposed: (a) =>
    `#${a.s('number')} "${a.text('text')}" proposed by @${a.s('user')} (${a.pts('amount')} ${a.currency}) — mods: !mission approve ${a.s('number')}`,
  proposedOpen: (a) =>
    `#${a.s('number')} "${a.text('text')}" by @${a.s('user')} is live (${a.pts('amount')} ${a.currency})! Back it: !pledge ${a.s('number')} <amount>` +
    (a.has('timeLeftMs') ? ` — ${a.dur('timeLeftMs')} left` : ''),
  opened: (a) =>
    `#${a.s('number')} is live! Back it: !pledge ${a.s('number')} <amount>` +
    (a.has('timeLeftMs') ? ` — ${a.dur('timeLeftMs')} left` : ''),
  pledged: (a) => `@${a.s('user')} pledged ${a.pts('amount')} to #${a.s('number')}, pot ${a.pts('pot')} ${a.currency}`,
  pledgesCoalesced: (a) => `#${a.s('number')} +${a.pts('count')} backers, pot ${a.pts('pot')} ${a.currency}`,
  balance: (a) =>
    `@${a.s('user')} has ${a.pts('balance')} ${a.currency}` +
    (a.has('inEscrow') && a.s('inEscrow') !== '0' ? ` (${a.pts('inEscrow')} in missions)` : ''),
  balanceBroadcaster: (a) =>
    `@${a.s('user')} has ${a.pts('balance')} ${a.currency}` +
    (a.has('inEscrow') && a.s('inEscrow') !== '0' ? ` (${a.pts('inEscrow')} in missions)` : '') +
    `; the channel has earned ${a.pts('treasury')} ${a.currency} from missions`,
  missionInfo: (a) =>
    `#${a.s('number')} "${a.text('text')}" — ${a.word('status')}, pot ${a.pts('pot')} ${a.currency}, ${a.count('backers', 'backer', 'backers')}` +
    (a.has('timeLeftMs') ? `, ${a.dur('timeLeftMs')} left` : ''),
  missionListItem: (a) =>
    `#${a.s('number')} ${a.text('text')} (${a.pts('pot')} ${a.currency}` +
    (a.has('pending') ? ', awaiting approval' : '') +
    (a.has('timeLeftMs') ? `, ${a.dur('timeLeftMs')})` : ')'),
  missionList: (a) => `Missions: ${a.s('items')}` + (a.has('more') ? ` · +${a.s('more')} more` : ''),
  noOpenMissions: () => 'No open or pending missions. Start one: !mission <text> [amount]',
  success: (a) => `#${a.s('number')} SUCCESS! ${a.pts('pot')} ${a.currency} go to the streamer`,
  failed: (a) =>
    `#${a.s('number')} failed — ${a.count('backers', 'backer', 'backers')} refunded ${a.pts('pot')} ${a.currency}`,
  expired: (a) =>
    `#${a.s('number')} time's up! Mods: !mission success ${a.s('number')} or !mission fail ${a.s('number')}` +
    (a.has('graceMs') ? ` (${a.dur('graceMs')} to decide, then refunds)` : ''),
  rejected: (a) =>
    `#${a.s('number')} was rejected` +
    (a.has('reason') ? ` (${a.text('reason')})` : '') +
    ` — ${a.pts('pot')} ${a.currency} refunded`,
  cancelled: (a) =>
    `#${a.s('number')} cancelled` +
    (a.has('reason') ? ` (${a.text('reason')})` : '') +
    ` — ${a.count('backers', 'backer', 'backers')} refunded ${a.pts('pot')} ${a.currency}`,
  extended: (a) => `#${a.s('number')} extended — ${a.dur('timeLeftMs')} left`,
  pendingTimedOut: (a) => `#${a.s('number')} wasn't approved in time — ${a.pts('pot')} ${a.currency} refunded`,
  paused: () => 'New missions are paused. Running missions carry on.',
  resumed: () => 'New missions are open again: !mission <text> [amount]',
  granted: (a) =>
    `@${a.s('target')} received ${a.pts('amount')} ${a.currency}` + (a.has('balance') ? ` (now ${a.pts('balance')})` : ''),
  taken: (a) =>
    `${a.pts('amount')} ${a.currency} taken from @${a.s('target')}` + (a.has('balance') ? ` (now ${a.pts('balance')})` : ''),

  // Domain errors (server/domain/errors.ts).
  VALIDATION: (a) => `${a.to}that didn't work; check the command and try again`,
  CHANNEL_NOT_FOUND: (a) => `${a.to}channel ${a.s('channel')} isn't set up for missions`,
  CHANNEL_EXISTS: (a) => `${a.to}channel ${a.s('channel')} is already set up`,
  MISSION_NOT_FOUND: (a) => `${a.to}there is no mission #${a.s('number')}`,
  MISSION_NOT_OPEN: (a) => `${a.to}#${a.s('number')} isn't taking pledges (${a.word('status')})`,
  MISSION_NOT_PENDING: (a) => `${a.to}#${a.s('number')} isn't awaiting approval (${a.word('status')})`,
  INVALID_TRANSITION: (a) => `${a.to}#${a.s('number')} is ${a.word('status')}, so it can't be ${a.word('action')}`,
  INSUFFICIENT_FUNDS: (a) => `${a.to}you have ${a.pts('balance')} ${a.currency} (needed ${a.pts('needed')})`,
  STAKE_TOO_LOW: (a) => `${a.to}the minimum is ${a.pts('minimum')} ${a.currency} (you offered ${a.pts('amount')})`,
  PLEDGE_TOO_HIGH: (a) => `${a.to}the maximum pledge is ${a.pts('maximum')} ${a.currency} (you offered ${a.pts('amount')})`,
  TOO_MANY_OPEN_MISSIONS: (a) =>
    `${a.to}the channel already has ${a.count('limit', 'active mission', 'active missions')}; wait for one to finish`,
  TOO_MANY_OPEN_MISSIONS_FOR_VIEWER: (a) =>
    `${a.to}you already have ${a.count('limit', 'active mission', 'active missions')}; wait for it to finish`,
  DURATION_OUT_OF_RANGE: (a) => `${a.to}the duration must be between ${a.dur('minMs')} and ${a.dur('maxMs')} (not ${a.dur('durationMs')})`,
  BLOCKED_WORDS: (a) => `${a.to}that mission contains a blocked word`,
  COOLDOWN: (a) => `${a.to}wait ${a.dur('retryAfterMs')} before proposing another mission`,
  MISSIONS_PAUSED: (a) => `${a.to}new missions are paused right now`,
  RESOLVER_HAS_PLEDGED: (a) => `${a.to}you pledged on #${a.s('number')}, so someone else has to judge it`,
  FORBIDDEN: (a) => `${a.to}you're not allowed to do that`,
  UNAUTHORIZED: (a) => `${a.to}the bot isn't authorised to do that`,
  VIEWER_NOT_FOUND: (a) => `${a.to}@${a.s('login')} has no ${a.currency} here yet: they need to chat here once first`,
  IDEMPOTENCY_CONFLICT: (a) => `${a.to}that was already handled`,
  OVERLOADED: (a) => `${a.to}too many pledges at once; try again in a moment`,
  BALANCE_LIMIT: (a) => `${a.to}that would go past the largest balance (${a.pts('maximum')} ${a.currency})`,

  // Grammar errors (server/domain/grammar/result.ts).
  AMOUNT_MISSING: (a) => `${a.to}add an amount (100, 1k, all, half or 50%)`,
  AMOUNT_INVALID: (a) => `${a.to}"${a.token('token')}" is not an amount (try 100, 1k, all, half or 50%)`,
  AMOUNT_ZERO: (a) => `${a.to}the amount must be more than 0`,
  AMOUNT_NEGATIVE: (a) => `${a.to}amounts can't be negative`,
  AMOUNT_NOT_INTEGER: (a) => `${a.to}"${a.token('token')}": amounts are whole ${a.currency} (1.5k is fine, 1.5 is not)`,
  AMOUNT_NOT_WHOLE: (a) => `${a.to}"${a.token('token')}" is not a whole number of ${a.currency}`,
  AMOUNT_TOO_LARGE: (a) => `${a.to}that amount is too large (max ${a.pts('max')})`,
  AMOUNT_NOT_ABSOLUTE: (a) => `${a.to}use a number here, not all, half or a percentage`,
  PERCENT_OUT_OF_RANGE: (a) => `${a.to}a percentage must be a whole number from ${a.s('min')}% to ${a.s('max')}%`,
  DURATION_MISSING: (a) => `${a.to}add a duration (90s, 10m, 1h30m)`,
  DURATION_INVALID: (a) => `${a.to}"${a.token('token')}" is not a duration (try 90s, 10m, 1h30m)`,
  DURATION_NO_UNIT: (a) => `${a.to}add a unit to "${a.token('token')}": s, m or h (e.g. 10m)`,
  DURATION_ZERO: (a) => `${a.to}the duration must be longer than 0`,
  DURATION_TOO_SHORT: (a) => `${a.to}the duration must be at least ${a.dur('minMs')}`,
  DURATION_TOO_LONG: (a) => `${a.to}the duration can be at most ${a.dur('maxMs')}`,
  NUMBER_MISSING: (a) => `${a.to}which mission? Add its number (e.g. 4)`,
  NUMBER_INVALID: (a) => `${a.to}"${a.token('token')}" is not a mission number (e.g. 4 or #4)`,
  TARGET_MISSING: (a) => `${a.to}who? Add a username (e.g. @bob)`,
  TARGET_INVALID: (a) => `${a.to}"${a.token('token')}" is not a Twitch username`,
  TEXT_EMPTY: (a) => `${a.to}the mission needs a description`,
  TEXT_TOO_LONG: (a) => `${a.to}the mission text is too long (${a.s('length')}/${a.s('max')} characters)`,
  UNEXPECTED_ARGUMENT: (a) => `${a.to}didn't expect "${a.token('token')}"`,

  // Usage lines, one per command.
  'usage.propose': () => 'Usage: !mission <text> [amount] [duration], e.g. !mission No deaths this run 100 30m',
  'usage.show': () => 'Usage: !mission <mission>, e.g. !mission 4',
  'usage.list': () => 'Usage: !missions',
  'usage.pledge': () => 'Usage: !pledge <mission> <amount>, e.g. !pledge 4 100',
  'usage.balance': () => 'Usage: !points [@user]',
  'usage.approve': () => 'Usage: !mission approve <mission>, e.g. !mission approve 4',
  'usage.reject': () => 'Usage: !mission reject <mission> [reason], e.g. !mission reject 4 too easy',
  'usage.success': () => 'Usage: !mission success <mission>, e.g. !mission success 4',
  'usage.fail': () => 'Usage: !mission fail <mission>, e.g. !mission fail 4',
  'usage.cancel': () => 'Usage: !mission cancel <mission> [reason], e.g. !mission cancel 4',
  'usage.extend': () => 'Usage: !mission extend <mission> <time to add>, e.g. !mission extend 4 10m adds 10 minutes',
  'usage.give': () => 'Usage: !points give @user <amount> [reason], e.g. !points give @bob 500 raffle winner',
  'usage.take': () => 'Usage: !points take @user <amount> [reason], e.g. !points take @bob 500',
  'usage.pause': () => 'Usage: !mission pause',
  'usage.resume': () => 'Usage: !mission resume',
};
