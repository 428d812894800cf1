import { BULK_REQUEST_LABEL, SandboxState, type Sandbox } from '@daytonaio/sdk';
import { Command, Option } from 'commander';
import { daytonaFor } from '../client.js';
import { collectKeyValue, parsePositiveInteger, parsePositiveNumber } from '../options.js';
import { formatPairs, formatTable, printJson, printLine, printNote } from '../output.js';
import { shellCommand } from '../shell-command.js';

/** Sandboxes per list request, at most (the server allows 1000). */
const PAGE_SIZE = 1000;

export function sandboxCreateCommand(): Command {
  return new Command('create')
    .description('Create one sandbox')
    .option('--snapshot <snapshot>', 'snapshot id or name (the server uses "default" when left out)')
    .option('--name <name>', 'unique among live sandboxes (the sandbox id when left out)')
    .option('--label <key=value>', 'a label (repeat for several)', collectKeyValue)
    .option('--env <NAME=value>', 'an environment variable of every command in it (repeat for several)', collectKeyValue)
    .option('--wait', 'wait until it is started (exit 1 if it ends in error)')
    .option('--timeout <seconds>', 'how long --wait waits', parsePositiveNumber, 60)
    .option('--json', 'print the sandbox as JSON')
    .addHelpText('after', '\nCPU, memory and disk come from the snapshot (see `daytona snapshot create --help`).')
    .action(async (options: CreateOptions, command: Command) => {
      const params = { snapshot: options.snapshot, name: options.name, labels: options.label, env: options.env };
      const sandbox = await daytonaFor(command).create(params, { waitUntilStarted: options.wait === true, timeout: options.timeout });
      if (options.json) printJson(sandbox.toJSON());
      else printLine(`${sandbox.name} ${sandbox.state} (id ${sandbox.id})`);
    });
}

interface CreateOptions {
  snapshot?: string;
  name?: string;
  label?: Record<string, string>;
  env?: Record<string, string>;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

export function sandboxGetCommand(): Command {
  return new Command('get')
    .description('Show one sandbox')
    .argument('<idOrName>', 'sandbox id or name')
    .option('--json', 'print it as JSON (env values included)')
    .action(async (idOrName: string, options: { json?: boolean }, command: Command) => {
      const sandbox = await daytonaFor(command).get(idOrName);
      if (options.json) printJson(sandbox.toJSON());
      else printLine(describeSandbox(sandbox));
    });
}

/** `key: value` lines. Env shows names only: values may be secrets (`--json` has them). */
function describeSandbox(sandbox: Sandbox): string {
  const fields: Array<[string, string | undefined]> = [
    ['id', sandbox.id],
    ['name', sandbox.name],
    ['state', sandbox.state],
    ['error', sandbox.errorReason],
    ['snapshot', sandbox.snapshot],
    ['region', sandbox.region],
    ['resources', `${sandbox.cpu} cpu, ${sandbox.memory} GiB memory, ${sandbox.disk} GiB disk`],
    ['labels', formatPairs(sandbox.labels) || '-'],
    ['env', Object.keys(sandbox.env).join(', ') || '-'],
    ['created', sandbox.createdAt.toISOString()],
    ['updated', sandbox.updatedAt.toISOString()],
  ];
  return fields
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([key, value]) => `${`${key}:`.padEnd(11)}${value}`)
    .join('\n');
}

export function sandboxListCommand(): Command {
  return new Command('list')
    .description('List live sandboxes, newest first')
    .option('--label <key=value>', 'only those with this label (repeat: all must match)', collectKeyValue)
    .option('--name <prefix>', 'only those whose name starts with this')
    .addOption(
      // Variadic, so commander both checks each value against the choices and collects them.
      new Option('--state <state...>', 'only those in these states (several: --state started error)').choices(Object.values(SandboxState)),
    )
    .option('--limit <n>', 'show at most this many (with --page: the page size, at most 1000)', parsePositiveInteger, 100)
    .option('--page <n>', "show only this page of the server's list, --limit sandboxes a page", parsePositiveInteger)
    .option('--json', 'print them as JSON')
    .addHelpText('after', '\nExamples:\n  daytona sandbox list --label run=eval-7\n  daytona sandbox list --limit 50 --page 3 --json')
    .action(async (options: ListOptions, command: Command) => {
      const { sandboxes, note } = options.page === undefined ? await listMatching(command, options) : await listPage(command, options, options.page);
      if (options.json) printJson(sandboxes.map((sandbox) => sandbox.toJSON()));
      else printLine(formatTable(['NAME', 'STATE', 'SNAPSHOT', 'LABELS', 'CREATED', 'ID'], sandboxes.map(tableRow)).trimEnd());
      if (note) printNote(note);
    });
}

interface ListOptions {
  label?: Record<string, string>;
  name?: string;
  state?: SandboxState[];
  limit: number;
  page?: number;
  json?: boolean;
}

interface Listing {
  sandboxes: Sandbox[];
  /** For the person at the terminal: what is not shown, and how to see it. */
  note?: string;
}

/**
 * The first `limit` matching sandboxes, following the server's cursor from page to page (stable
 * while sandboxes come and go, unlike page numbers).
 */
async function listMatching(command: Command, options: ListOptions): Promise<Listing> {
  const daytona = daytonaFor(command);
  const sandboxes: Sandbox[] = [];
  let cursor: string | undefined;
  for (;;) {
    const limit = Math.min(PAGE_SIZE, options.limit - sandboxes.length + 1);
    const result = await daytona.list({ labels: options.label, states: options.state, name: options.name, limit, cursor });
    sandboxes.push(...result.items);
    cursor = result.nextCursor ?? undefined;
    if (sandboxes.length > options.limit || cursor === undefined) {
      const more = sandboxes.length > options.limit;
      return { sandboxes: sandboxes.slice(0, options.limit), note: more ? `(more match: showing the first ${options.limit}; raise --limit or use --page to see more)` : undefined };
    }
  }
}

/** One page of the server's list, as it pages (newest first). */
async function listPage(command: Command, options: ListOptions, page: number): Promise<Listing> {
  const result = await daytonaFor(command).list({ labels: options.label, states: options.state, name: options.name, page, limit: options.limit });
  return { sandboxes: result.items, note: `(page ${result.page} of ${Math.max(result.totalPages, 1)}, ${result.total} ${result.total === 1 ? 'sandbox' : 'sandboxes'} in all)` };
}

function tableRow(sandbox: Sandbox): string[] {
  const labels = Object.fromEntries(Object.entries(sandbox.labels).filter(([key]) => key !== BULK_REQUEST_LABEL));
  return [sandbox.name, sandbox.state, sandbox.snapshot, formatPairs(labels) || '-', sandbox.createdAt.toISOString(), sandbox.id];
}

export function sandboxDeleteCommand(): Command {
  return new Command('delete')
    .description('Delete a sandbox with its processes and files')
    .argument('<idOrName>', 'sandbox id or name')
    .action(async (idOrName: string, _options: unknown, command: Command) => {
      await daytonaFor(command).delete(idOrName);
      printLine(`Deleted ${idOrName}`);
    });
}

export function sandboxExecCommand(): Command {
  return new Command('exec')
    .description("Run a command in a sandbox; print its output and exit with its exit code")
    .argument('<idOrName>', 'sandbox id or name')
    .argument('<command...>', 'after --: one argument is a shell script (sh -c); several are quoted as separate words')
    .option('--cwd <dir>', "working directory (the sandbox user's home by default)")
    .option('--env <NAME=value>', 'an extra environment variable (repeat for several)', collectKeyValue)
    .option('--timeout <seconds>', 'the server kills the command after this (exit code 124)', parsePositiveInteger)
    .option('--json', 'print {exitCode, result} as JSON instead of the output')
    .addHelpText('after', '\nExamples:\n  daytona sandbox exec my-sandbox -- printenv HOME\n  daytona sandbox exec my-sandbox -- \'ls /etc | wc -l\'')
    .action(async (idOrName: string, words: string[], options: ExecOptions, command: Command) => {
      const sandbox = await daytonaFor(command).get(idOrName);
      const response = await sandbox.process.executeCommand(shellCommand(words), options.cwd, options.env, options.timeout);
      if (options.json) printJson(response);
      else process.stdout.write(response.result);
      process.exitCode = response.exitCode;
    });
}

interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
  json?: boolean;
}
