import { isPrivileged, type Command } from './types.js';

function grantCommand(name: 'give' | 'take'): Command<'give' | 'take'> {
  return {
    name,
    canExecute: isPrivileged,
    async execute(cmd, ctx) {
      const { viewer, replayed } = await ctx.services.viewers.adjust(
        ctx.channel,
        { target: { login: cmd.target }, amount: cmd.amount, direction: name },
        ctx.actor,
        ctx.idempotency([name, cmd.target, cmd.amount]),
      );
      if (replayed) return;
      ctx.reply(name === 'give' ? 'granted' : 'taken', { target: viewer.login, amount: cmd.amount, balance: viewer.balance }, 'confirm');
    },
  };
}

/** `!points give @user <amount>`: points from the mint. */
export const giveCommand = grantCommand('give');
/** `!points take @user <amount>`: never below zero. */
export const takeCommand = grantCommand('take');
