import { missionScope, stageOfStatus } from '../output/index.js';
import { anyone, type Command } from './types.js';

/** `!mission <n>`: text, status, pot, backers, time left. */
export const showCommand: Command<'show'> = {
  name: 'show',
  canExecute: anyone,
  async execute(cmd, ctx) {
    const mission = await ctx.services.missions.get(ctx.channel, cmd.number);
    const until = mission.status === 'open' ? mission.deadline : mission.status === 'closed' ? mission.graceEndsAt : null;
    ctx.reply(
      'missionInfo',
      {
        number: mission.number,
        text: mission.text,
        status: mission.status,
        pot: mission.pot,
        backers: mission.backers,
        timeLeftMs: until === null ? undefined : Math.max(0, Date.parse(until) - ctx.now()),
      },
      'confirm',
      missionScope.snapshot(mission.number, stageOfStatus(mission.status)),
    );
  },
};
