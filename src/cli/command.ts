/**
 * The shape of a CLI command. Each file in `cli/commands/` exports one `CommandDef`; only `cli/bin.ts` touches
 * argv, the streams and the exit code.
 */
import type { Command } from 'commander';

/** What a command may use to talk to the user. */
export interface CliIo {
  /** Print a line for people on stdout (suppressed with --json). */
  out(line: string): void;
  /** Print a diagnostic line on stderr. */
  err(line: string): void;
  /** Log detail shown only with --verbose. */
  debug(line: string): void;
  json: boolean;
  verbose: boolean;
  /** Whether progress bars may be drawn (stderr is a TTY and not --json). */
  progress: boolean;
}

/** What a command returns: the JSON object (printed as the last stdout line with --json). */
export type CommandResult = Record<string, unknown>;

export interface CommandDef {
  name: string;
  /** One line for `pinplace --help`. */
  summary: string;
  /** Declare the command's options (global --json/--verbose are added by the CLI). */
  options(cmd: Command): void;
  /** Run with the parsed options (commander's camelCase keys). */
  run(opts: Record<string, unknown>, io: CliIo): Promise<CommandResult>;
}
