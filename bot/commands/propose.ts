import { anyone, type Command } from './types.js';
import { toAmountInput } from '../../server/domain/grammar/amount.js';
import { toSeconds } from '../../server/domain/grammar/duration.js';

/** `!mission <text> [amount] [duration]`. Success is announced by the announcer ('proposed'/'opened'). */
export const proposeCommand: Command<'propose'> = {
  name: 'propose',
  canExecute: anyone,
  async execute(cmd, ctx) {
    const amount = cmd.amount === undefined ? undefined : toAmountInput(cmd.amount);
    const durationSeconds = cmd.durationMs === undefined ? undefined : toSeconds(cmd.durationMs);
    await ctx.services.missions.propose(
      ctx.channel,
      {
        text: cmd.text,
        proposer: ctx.user,
        ...(amount === undefined ? {} : { amount }),
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
      },
      ctx.actor,
      ctx.idempotency(['propose', cmd.text, amount ?? null, durationSeconds ?? null]),
    );
  },
};
