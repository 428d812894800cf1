import { SandboxState, type BulkCreateItem, type BulkCreateProgress, type Sandbox } from '@daytonaio/sdk';
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { BulkProgressTracker, countStates, isFailedState } from '../bulk-progress.js';
import { daytonaFor } from '../client.js';
import { ExitCode, UsageError } from '../cli-errors.js';
import { collectItem, collectKeyValue, collectValues, parsePositiveInteger, parsePositiveNumber, readItemsFile, type ItemSpec } from '../options.js';
import { formatSeconds, printJson, printLine, printNote } from '../output.js';
import { ProgressBar, ProgressLines, type ProgressDisplay } from '../progress-display.js';

/** How many names of one failure reason are listed before "and N more". */
const NAMES_PER_REASON = 10;

interface BulkCreateOptions {
  count?: number;
  snapshot?: string;
  prefix?: string;
  allowUnder?: boolean;
  item?: ItemSpec[];
  file?: BulkCreateItem[];
  label?: Record<string, string>;
  env?: Record<string, string>;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

export function sandboxBulkCreateCommand(): Command {
  return new Command('bulk-create')
    .description('Create many sandboxes in one request (all or nothing), optionally waiting with live progress')
    .option('--count <n>', 'how many sandboxes (one item, from --snapshot and --prefix)', parsePositiveInteger)
    .option('--snapshot <snapshot>', 'snapshot id or name, for --count and for items without one', 'default')
    .option('--prefix <prefix>', 'with --count: names are {prefix}-00001, ... (a fresh bulk-xxxxxx when left out)')
    .option('--allow-under', 'create as many as quota and runners allow instead of failing')
    .option('--item <spec>', 'an item: snapshot=s,count=n,prefix=p[,allowUnder=true] (repeat for several)', collectItem)
    .option('--file <items.json>', "items from a JSON file: an array of the API's BulkCreateItem objects", readItemsFile)
    .option('--label <key=value>', 'a label of every sandbox of every item (repeat for several)', collectKeyValue)
    .option('--env <NAME=value>', 'an environment variable of every sandbox of every item (repeat for several)', collectKeyValue)
    .option('--await-started, --wait', 'wait until every sandbox is started or in error, showing progress; exit 1 if any is not started')
    .option('--timeout <seconds>', 'how long --await-started waits, in seconds (the server also answers at its own limit, BULK_AWAIT_TIMEOUT_SECONDS)', parsePositiveNumber, 300)
    .option('--json', 'print the sandboxes as JSON')
    .addHelpText(
      'after',
      `
With --await-started (or --wait), progress goes to stderr, fed by the server's stream of state
changes: on a terminal a bar redrawn in place (counts per state, elapsed, ETA); otherwise a plain
line when the counts change, at most one a second, and the final counts. Sandboxes that end in
error are listed with their reason.

Examples:
  daytona sandbox bulk-create --count 100 --prefix eval-7 --label run=eval-7 --await-started
  daytona sandbox bulk-create --item count=10,prefix=small --item snapshot=big,count=2,prefix=large --await-started --json`,
    )
    .action(async (options: BulkCreateOptions, command: Command) => {
      const items = bulkItems(options);
      const daytona = daytonaFor(command);
      const startedAt = Date.now();
      const sandboxes = options.wait
        ? await bulkCreateWithProgress(items, (onProgress) => daytona.bulkCreate(items, { awaitStarted: true, timeout: options.timeout, onProgress }))
        : await daytona.bulkCreate(items);
      if (options.json) printJson(sandboxes.map((sandbox) => sandbox.toJSON()));
      else printSummary(items, sandboxes, options.wait ? Date.now() - startedAt : undefined);
      if (options.wait) process.exitCode = reportUnstarted(sandboxes, options.timeout);
    });
}

/** The request's items: --count (one item), then each --item, then the --file's; labels and env added to each. */
function bulkItems(options: BulkCreateOptions): BulkCreateItem[] {
  const items: BulkCreateItem[] = [];
  if (options.count !== undefined) {
    items.push({
      snapshotIdOrName: options.snapshot ?? 'default',
      count: options.count,
      sandboxNamePrefix: options.prefix ?? `bulk-${randomBytes(3).toString('hex')}`,
      allowUnder: options.allowUnder,
    });
  } else if (options.prefix !== undefined) {
    throw new UsageError('--prefix goes with --count (an --item names its own prefix)');
  }
  for (const item of options.item ?? []) {
    items.push({
      snapshotIdOrName: item.snapshot ?? options.snapshot ?? 'default',
      count: item.count,
      sandboxNamePrefix: item.prefix,
      allowUnder: item.allowUnder ?? options.allowUnder,
    });
  }
  items.push(...(options.file ?? []));
  if (items.length === 0) throw new UsageError('say what to create: --count <n>, --item <spec> or --file <items.json>');
  return items.map((item) => ({
    ...item,
    ...(options.label && { labels: { ...item.labels, ...options.label } }),
    ...(options.env && { env: { ...item.env, ...options.env } }),
  }));
}

/**
 * Runs the create with a progress display on stderr (a bar on a terminal, plain lines
 * otherwise), fed by the SDK's progress stream. Ctrl-C leaves the terminal as it was; the
 * sandboxes are created and started all the same.
 */
async function bulkCreateWithProgress(
  items: BulkCreateItem[],
  create: (onProgress: (progress: BulkCreateProgress) => void) => Promise<Sandbox[]>,
): Promise<Sandbox[]> {
  const tracker = new BulkProgressTracker(items.reduce((sum, item) => sum + item.count, 0));
  const display: ProgressDisplay = process.stderr.isTTY ? new ProgressBar(process.stderr, tracker.current()) : new ProgressLines(process.stderr);
  const onInterrupt = () => {
    display.finish(tracker.current());
    const names = items.map((item) => `${item.sandboxNamePrefix}-…`).join(', ');
    printNote(`interrupted: the sandboxes (${names}) exist and go on starting; \`daytona sandbox list --name <prefix>-\` finds them`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    const sandboxes = await create((progress) => {
      if (tracker.record(progress)) display.update(tracker.current());
    });
    display.finish(countStates(sandboxes.map((sandbox) => sandbox.state), tracker.current().requested));
    return sandboxes;
  } catch (error) {
    display.finish(tracker.current());
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** What was created, item by item (the answer lists them in item order, then name order). */
function printSummary(items: BulkCreateItem[], sandboxes: Sandbox[], waitedMs: number | undefined): void {
  const requestId = sandboxes[0]?.bulkRequestId;
  const requested = items.reduce((sum, item) => sum + item.count, 0);
  printLine(`Created ${sandboxes.length} of ${requested} sandboxes${requestId ? ` (bulk request ${requestId})` : ''}`);
  for (const item of items) {
    const own = sandboxes.filter((sandbox) => isNamedFor(sandbox, item.sandboxNamePrefix));
    const range = own.length === 0 ? '' : own.length === 1 ? `  ${own[0].name}` : `  ${own[0].name} … ${own[own.length - 1].name}`;
    printLine(`  ${item.sandboxNamePrefix}: ${own.length} of ${item.count}${range}`);
  }
  if (waitedMs !== undefined) {
    const { started } = countStates(sandboxes.map((sandbox) => sandbox.state), requested);
    printLine(`Started ${started} of ${sandboxes.length} in ${formatSeconds(waitedMs)}`);
  }
}

function isNamedFor(sandbox: Sandbox, prefix: string): boolean {
  return sandbox.name.startsWith(`${prefix}-`) && /^\d+$/.test(sandbox.name.slice(prefix.length + 1));
}

/**
 * After a wait: lists on stderr the sandboxes in error (grouped by reason) and those the wait
 * left unstarted, and answers the exit code: 1 if there are any.
 */
function reportUnstarted(sandboxes: Sandbox[], timeoutSeconds: number): number {
  const failed = sandboxes.filter((sandbox) => isFailedState(sandbox.state));
  const waiting = sandboxes.filter((sandbox) => sandbox.state !== SandboxState.STARTED && !isFailedState(sandbox.state));
  if (failed.length > 0) {
    printNote(`${failed.length} ${failed.length === 1 ? 'sandbox' : 'sandboxes'} ended in error:`);
    const byReason = new Map<string, Sandbox[]>();
    for (const sandbox of failed) {
      const reason = sandbox.errorReason ?? `${sandbox.state}, no reason given`;
      const group = byReason.get(reason);
      if (group) group.push(sandbox);
      else byReason.set(reason, [sandbox]);
    }
    for (const [reason, group] of byReason) printNote(`  ${listNames(group)}: ${reason}`);
  }
  if (waiting.length > 0) {
    printNote(
      `${waiting.length} not started when the wait ended (--timeout ${timeoutSeconds} s, or the server's own limit): ` +
        listNames(waiting, (sandbox) => `${sandbox.name} (${sandbox.state})`),
    );
  }
  return failed.length > 0 || waiting.length > 0 ? ExitCode.FAILED : ExitCode.OK;
}

function listNames(sandboxes: Sandbox[], describe: (sandbox: Sandbox) => string = (sandbox) => sandbox.name): string {
  const shown = sandboxes.slice(0, NAMES_PER_REASON).map(describe).join(', ');
  return sandboxes.length > NAMES_PER_REASON ? `${shown} and ${sandboxes.length - NAMES_PER_REASON} more` : shown;
}

export function sandboxBulkDeleteCommand(): Command {
  return new Command('bulk-delete')
    .description('Delete every live sandbox matching all the selectors given (at least one)')
    .option('--label <key=value>', 'sandboxes with this label (repeat: all must match)', collectKeyValue)
    .option('--prefix <prefix>', 'sandboxes whose name starts with this, as plain text (eval-7- matches eval-7-00001)')
    .option('--id <id>', 'this sandbox id (repeat for several)', collectValues)
    .option('--json', 'print {count} as JSON')
    .addHelpText('after', '\nExample:\n  daytona sandbox bulk-delete --label run=eval-7')
    .action(async (options: { label?: Record<string, string>; prefix?: string; id?: string[]; json?: boolean }, command: Command) => {
      if (!options.label && options.prefix === undefined && !options.id) {
        throw new UsageError('name at least one selector: --label, --prefix or --id (a bulk delete never means everything)');
      }
      const count = await daytonaFor(command).bulkDelete({ labels: options.label, namePrefix: options.prefix, ids: options.id });
      if (options.json) printJson({ count });
      else printLine(`Deleted ${count} ${count === 1 ? 'sandbox' : 'sandboxes'}`);
    });
}
