import { CommanderError } from 'commander';
import { describeError, ExitCode, exitCodeOf } from './cli-errors.js';
import { createProgram } from './program.js';

/** Commander's "codes" for help and version: shown on request, not errors. */
const NOT_ERRORS = new Set(['commander.helpDisplayed', 'commander.version']);

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed the message (and the help, when asked for or when a subcommand is missing).
    process.exitCode = NOT_ERRORS.has(error.code) ? ExitCode.OK : ExitCode.USAGE;
  } else {
    process.stderr.write(describeError(error) + '\n');
    process.exitCode = exitCodeOf(error);
  }
}
