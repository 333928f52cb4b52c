import { isPrivileged, type Command } from './types.js';

function pauseCommand(name: 'pause' | 'resume'): Command<'pause' | 'resume'> {
  return {
    name,
    canExecute: isPrivileged,
    async execute(_cmd, ctx) {
      const paused = name === 'pause';
      // Setting a flag to the value it has is harmless, so no idempotency key is needed.
      if (ctx.channel.missionsPaused !== paused) await ctx.services.channels.setPaused(ctx.channel.login, paused, ctx.actor);
      ctx.invalidateChannel();
      ctx.reply(paused ? 'paused' : 'resumed', {}, 'announce');
    },
  };
}

/** `!mission pause`: no new proposals from viewers; running missions carry on. */
export const pauseMissionsCommand = pauseCommand('pause');
export const resumeMissionsCommand = pauseCommand('resume');
