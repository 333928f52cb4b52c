import { anyone, type Command } from './types.js';

/** `!points` / `!points @user`. */
export const balanceCommand: Command<'balance'> = {
  name: 'balance',
  canExecute: anyone,
  async execute(cmd, ctx) {
    const viewer =
      cmd.target === undefined
        ? await ctx.services.viewers.byUserId(ctx.channel, ctx.user.userId)
        : await ctx.services.viewers.byLogin(ctx.channel, cmd.target);
    ctx.reply(
      'balance',
      {
        user: viewer?.login ?? ctx.user.login,
        balance: viewer?.balance ?? ctx.channel.settings.startingBalance,
        inEscrow: viewer?.inEscrow ?? 0,
      },
      'confirm',
    );
  },
};
