/** A SPEC command whose capability is not built yet: it says so clearly and exits non-zero. */
import type { Command } from 'commander';
import { NotBuiltError } from '../../errors.ts';
import type { CommandDef } from '../command.ts';

export function notBuilt(name: string, summary: string, options: (cmd: Command) => void = (c) => c.allowUnknownOption()): CommandDef {
  return {
    name,
    summary: `${summary} (not built yet)`,
    options,
    async run() {
      throw new NotBuiltError(`pinplace ${name} is not built yet in this version of person-in-place`);
    },
  };
}
