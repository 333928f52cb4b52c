import { toAmountInput } from './amounts.js';
import { anyone, type Command } from './types.js';

/** `!pledge <n> <amount>`. Confirmations go through the pledge coalescer, not straight to chat. */
export const pledgeCommand: Command<'pledge'> = {
  name: 'pledge',
  canExecute: anyone,
  async execute(cmd, ctx) {
    const amount = toAmountInput(cmd.amount);
    const result = await ctx.services.missions.pledge(
      ctx.channel,
      { number: cmd.number, amount, user: ctx.user },
      ctx.actor,
      ctx.idempotency(['pledge', cmd.number, amount]),
    );
    // A redelivered message was confirmed the first time.
    if (result.replayed) return;
    ctx.confirmPledge({
      missionNumber: result.mission.number,
      viewerLogin: ctx.user.login,
      amount: result.pledge.amount,
      pot: result.mission.pot,
      backers: result.mission.backers,
      // The service does not say whether this was the viewer's first pledge; the replies count
      // pledges, so this only feeds the coalescer's (unused) new-backer tally.
      newBacker: false,
    });
  },
};
