import { anyone, isPrivileged, type Command } from './types.js';

type VerdictName = 'approve' | 'reject' | 'success' | 'fail' | 'cancel';

/**
 * `!mission approve|reject|success|fail|cancel <n> [reason]`. The outcome is announced by the
 * announcer from the bus event ('opened' or 'resolved'), so every channel sees one message
 * whether a moderator used chat or the dashboard.
 */
function verdictCommand(name: VerdictName): Command<VerdictName> {
  return {
    name,
    // The proposer may cancel their own mission while nobody else has pledged: the service decides.
    canExecute: name === 'cancel' ? anyone : isPrivileged,
    async execute(cmd, ctx) {
      const reason = 'reason' in cmd ? cmd.reason : undefined;
      await ctx.services.verdicts.act(ctx.channel, cmd.number, name, ctx.actor, {
        ...(reason === undefined ? {} : { reason }),
        idempotency: ctx.idempotency([name, cmd.number, reason ?? null]),
      });
    },
  };
}

export const approveCommand = verdictCommand('approve');
export const rejectCommand = verdictCommand('reject');
export const successCommand = verdictCommand('success');
export const failCommand = verdictCommand('fail');
export const cancelCommand = verdictCommand('cancel');
