/**
 * The `pinplace` command line. The only module that reads argv, prints, and decides the exit code.
 * Bad input ends with one line on stderr and a non-zero exit (2 for usage errors, 1 otherwise); the stack is shown
 * only with --verbose. With --json the command's result is the last stdout line.
 */
import { Command, CommanderError } from 'commander';
import { oneLine, PinplaceError, UsageError } from '../errors.ts';
import type { CliIo, CommandDef } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { PACKAGE_VERSION } from '../version.ts';

export interface MainStreams {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY?: boolean;
}

const defaultStreams: MainStreams = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: !!process.stderr.isTTY,
};

/** Run the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], streams: MainStreams = defaultStreams): Promise<number> {
  const program = new Command('pinplace')
    .description('person-in-place: put people into photos the way they would really interact with what is there')
    .version(PACKAGE_VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: streams.stdout, writeErr: () => {} })
    .showSuggestionAfterError(true);

  let exitCode = 0;
  const verboseWanted = argv.includes('--verbose');

  for (const def of COMMANDS) {
    const cmd = program.command(def.name).description(def.summary)
      .option('--json', 'print one JSON object as the last stdout line')
      .option('--verbose', 'show detail and stack traces')
      .exitOverride()
      .configureOutput({ writeOut: streams.stdout, writeErr: () => {} });
    def.options(cmd);
    cmd.action(async (opts: Record<string, unknown>) => {
      exitCode = await runCommand(def, opts, streams);
    });
  }

  try {
    if (argv.length === 0) {
      streams.stdout(program.helpInformation());
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      const sub = program.commands.find((c) => argv.includes(c.name()));
      const where = sub ? `pinplace ${sub.name()}` : 'pinplace';
      streams.stderr(`${where}: ${err.message.replace(/^error:\s*/, '').split('\n')[0]} (see ${where} --help)\n`);
      return 2;
    }
    streams.stderr(`pinplace: ${oneLine(err)}\n`);
    if (verboseWanted && err instanceof Error && err.stack) streams.stderr(err.stack + '\n');
    return 1;
  }
}

async function runCommand(def: CommandDef, opts: Record<string, unknown>, streams: MainStreams): Promise<number> {
  const json = opts.json === true;
  const verbose = opts.verbose === true;
  const io: CliIo = {
    out: (line) => { if (!json) streams.stdout(line + '\n'); },
    err: (line) => streams.stderr(line + '\n'),
    debug: (line) => { if (verbose) streams.stderr(line + '\n'); },
    json,
    verbose,
    progress: !json && !!streams.isTTY,
  };
  try {
    const result = await def.run(opts, io);
    if (json) streams.stdout(JSON.stringify(result) + '\n');
    return 0;
  } catch (err) {
    streams.stderr(`pinplace ${def.name}: ${oneLine(err)}\n`);
    if (verbose && err instanceof Error && err.stack) streams.stderr(err.stack + '\n');
    if (json) streams.stdout(JSON.stringify({ error: oneLine(err), code: err instanceof PinplaceError ? err.code : 'error' }) + '\n');
    return err instanceof UsageError ? 2 : 1;
  }
}
