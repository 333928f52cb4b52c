import type { ChatUser } from '../../server/domain/actor.js';
import { isDomainError } from '../../server/domain/errors.js';
import { isPrivileged, type Command, type CommandContext } from './types.js';

/**
 * A viewer who has not chatted yet is unknown here; with a Twitch app, Twitch knows them by login
 * (Helix Get Users), so a gift can still reach them. Without one the reply says they must chat once.
 */
async function adjustOrResolve(ctx: CommandContext, name: 'give' | 'take', target: string, amount: number, reason: string | null) {
  const run = (user: ChatUser | { login: string }) =>
    ctx.services.viewers.adjust(
      ctx.channel,
      { target: user, amount, direction: name, reason },
      ctx.actor,
      ctx.idempotency([name, target, amount, reason]),
    );
  try {
    return await run({ login: target });
  } catch (err) {
    const lookup = ctx.services.twitchUsers;
    if (name !== 'give' || !lookup || !isDomainError(err) || err.code !== 'VIEWER_NOT_FOUND') throw err;
    const user = await lookup.byLogin(target);
    if (!user) throw err;
    return run(user);
  }
}

function grantCommand(name: 'give' | 'take'): Command<'give' | 'take'> {
  return {
    name,
    canExecute: isPrivileged,
    async execute(cmd, ctx) {
      const { viewer, replayed } = await adjustOrResolve(ctx, name, cmd.target, cmd.amount, cmd.reason ?? null);
      if (replayed) return;
      ctx.reply(name === 'give' ? 'granted' : 'taken', { target: viewer.login, amount: cmd.amount, balance: viewer.balance }, 'confirm');
    },
  };
}

/** `!points give @user <amount> [reason]`: points from the mint. */
export const giveCommand = grantCommand('give');
/** `!points take @user <amount> [reason]`: never below zero. */
export const takeCommand = grantCommand('take');
