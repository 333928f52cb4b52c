import { toSeconds } from '../../server/domain/grammar/duration.js';
import { isPrivileged, type Command } from './types.js';

/** `!mission extend <n> <duration>`; announced from the 'extended' event. */
export const extendCommand: Command<'extend'> = {
  name: 'extend',
  canExecute: isPrivileged,
  async execute(cmd, ctx) {
    const seconds = toSeconds(cmd.durationMs);
    await ctx.services.verdicts.extend(ctx.channel, cmd.number, seconds, ctx.actor, ctx.idempotency(['extend', cmd.number, seconds]));
  },
};
