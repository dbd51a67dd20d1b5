/**
 * Run one command from inside another with the same flag parsing (defaults and checks) as the command line.
 * Used by `demo`, which is generate + fit (+ edit) on the bundled sample scene.
 */
import { Command } from 'commander';
import type { CliIo, CommandDef, CommandResult } from './command.ts';

/** Parse `argv` with `def`'s own options, then run it. */
export async function runWithArgs(def: CommandDef, argv: string[], io: CliIo): Promise<CommandResult> {
  const cmd = new Command(def.name).exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  def.options(cmd);
  cmd.parse(argv, { from: 'user' });
  return def.run(cmd.opts(), io);
}
