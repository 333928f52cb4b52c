/** The command registry: one entry per parsed command name. */
import type { CommandName } from '../parse/command.js';
import { balanceCommand } from './balance.js';
import { extendCommand } from './extend.js';
import { giveCommand, takeCommand } from './grant.js';
import { listCommand } from './list.js';
import { pauseMissionsCommand, resumeMissionsCommand } from './pause.js';
import { pledgeCommand } from './pledge.js';
import { proposeCommand } from './propose.js';
import { showCommand } from './show.js';
import type { Command } from './types.js';
import { approveCommand, cancelCommand, failCommand, rejectCommand, successCommand } from './verdict.js';

export type { Command, CommandContext, CommandOf } from './types.js';

/** Any command; `execute` is only ever called with the parsed command of its own name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommand = Command<any>;

/** Builds the registry. Every {@link CommandName} has exactly one command. */
export function createCommandRegistry(): ReadonlyMap<CommandName, AnyCommand> {
  const commands: AnyCommand[] = [
    proposeCommand,
    showCommand,
    listCommand,
    pledgeCommand,
    balanceCommand,
    approveCommand,
    rejectCommand,
    successCommand,
    failCommand,
    cancelCommand,
    extendCommand,
    giveCommand,
    takeCommand,
    pauseMissionsCommand,
    resumeMissionsCommand,
  ];
  return new Map(commands.map((c) => [c.name as CommandName, c]));
}
