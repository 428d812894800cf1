import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { sandboxBulkCreateCommand, sandboxBulkDeleteCommand } from './commands/bulk-commands.js';
import {
  sandboxCreateCommand,
  sandboxDeleteCommand,
  sandboxExecCommand,
  sandboxGetCommand,
  sandboxListCommand,
} from './commands/sandbox-commands.js';
import { snapshotCommand } from './commands/snapshot-commands.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The whole command tree. Parse errors throw (exitOverride) instead of exiting, so `main` picks
 * the exit code; commander has already printed the message.
 */
export function createProgram(): Command {
  const program = new Command('daytona')
    .description('Daytona sandboxes from the command line: one at a time or thousands at once')
    .version(version)
    .option('--api-url <url>', 'API URL (else DAYTONA_API_URL, else .env.local, else http://127.0.0.1:3000/api)')
    .option('--api-key <key>', 'API key (else DAYTONA_API_KEY, else .env.local)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const sandbox = program.command('sandbox').description('Create, list, inspect, run commands in and delete sandboxes');
  for (const command of [
    sandboxCreateCommand(),
    sandboxBulkCreateCommand(),
    sandboxListCommand(),
    sandboxGetCommand(),
    sandboxDeleteCommand(),
    sandboxBulkDeleteCommand(),
    sandboxExecCommand(),
  ]) {
    sandbox.addCommand(command);
  }
  program.addCommand(snapshotCommand());
  // Commands built on their own (addCommand) do not inherit settings: give every one the same.
  forEachCommand(program, (command) => command.exitOverride().showHelpAfterError('(add --help for usage)'));
  return program;
}

function forEachCommand(command: Command, visit: (command: Command) => void): void {
  visit(command);
  for (const sub of command.commands) forEachCommand(sub, visit);
}
