import { anyone, type Command } from './types.js';

/**
 * `!points` / `!points @user`. The broadcaster's own `!points` also shows the treasury: the points
 * successful missions paid to the channel, which no wallet shows.
 */
export const balanceCommand: Command<'balance'> = {
  name: 'balance',
  canExecute: anyone,
  async execute(cmd, ctx) {
    const viewer =
      cmd.target === undefined
        ? await ctx.services.viewers.byUserId(ctx.channel, ctx.user.userId)
        : await ctx.services.viewers.byLogin(ctx.channel, cmd.target);
    const shown = {
      user: viewer?.login ?? ctx.user.login,
      balance: viewer?.balance ?? ctx.channel.settings.startingBalance,
      inEscrow: viewer?.inEscrow ?? 0,
    };
    if (cmd.target === undefined && ctx.role === 'broadcaster') {
      const { treasury } = await ctx.services.channels.totals(ctx.channel.id);
      ctx.reply('balanceBroadcaster', { ...shown, treasury }, 'confirm');
      return;
    }
    ctx.reply('balance', shown, 'confirm');
  },
};
