import { toAmountInput } from '../../server/domain/grammar/amount.js';
import { anyone, type Command } from './types.js';

/**
 * `!pledge <n> <amount>`. The service micro-batches concurrent pledges into one transaction; the
 * confirmation goes through the pledge coalescer, not straight to chat.
 */
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
      newBacker: result.firstPledge ?? false,
    });
  },
};
