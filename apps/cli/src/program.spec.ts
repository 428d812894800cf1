import { CommanderError, type Command } from 'commander';
import { UsageError } from './cli-errors.js';
import { createProgram } from './program.js';

/** The program with commander's own messages kept instead of printed. */
function quietProgram(): { program: Command; errors: string[] } {
  const errors: string[] = [];
  const program = createProgram();
  const quiet = (command: Command) => {
    command.configureOutput({ writeErr: (text) => errors.push(text), writeOut: () => undefined });
    command.commands.forEach(quiet);
  };
  quiet(program);
  return { program, errors };
}

const run = (...args: string[]) => {
  const { program, errors } = quietProgram();
  return { result: program.parseAsync(['node', 'daytona', ...args]), errors };
};

describe('usage errors are refused before any request is made', () => {
  it.each([
    [['sandbox', 'bulk-create', '--count', '0'], /expected a whole number, 1 or more/],
    [['sandbox', 'bulk-create', '--count', '3', '--frobnicate'], /unknown option '--frobnicate'/],
    [['sandbox', 'create', '--label', 'novalue'], /expected key=value/],
    [['sandbox', 'exec', 'my-sandbox'], /missing required argument 'command'/],
    [['sandbox', 'list', '--state', 'sleeping'], /Allowed choices are creating/],
    [['snapshot', 'create', 'python'], /required option '--image <ref>' not specified/],
  ])('%p', async (args, message) => {
    const { result, errors } = run(...args);
    await expect(result).rejects.toBeInstanceOf(CommanderError);
    expect(errors.join('')).toMatch(message);
  });

  it('bulk-create needs something to create', async () => {
    await expect(run('sandbox', 'bulk-create', '--await-started').result).rejects.toThrow(new UsageError('say what to create: --count <n>, --item <spec> or --file <items.json>'));
  });

  it('bulk-create refuses --prefix without --count', async () => {
    await expect(run('sandbox', 'bulk-create', '--prefix', 'a', '--item', 'count=1,prefix=b').result).rejects.toThrow(UsageError);
  });

  it('bulk-delete refuses an empty selector', async () => {
    await expect(run('sandbox', 'bulk-delete').result).rejects.toThrow(/name at least one selector/);
  });
});

it('--await-started and --wait are one option', () => {
  for (const flag of ['--await-started', '--wait']) {
    const { program } = quietProgram();
    const bulkCreate = program.commands.find((c) => c.name() === 'sandbox')!.commands.find((c) => c.name() === 'bulk-create')!;
    bulkCreate.action(() => undefined);
    program.parse(['node', 'daytona', 'sandbox', 'bulk-create', '--count', '2', flag]);
    expect(bulkCreate.opts()).toMatchObject({ count: 2, wait: true, snapshot: 'default', timeout: 300 });
  }
});

it('list collects several states, each checked against the known ones', () => {
  const { program } = quietProgram();
  const list = program.commands.find((c) => c.name() === 'sandbox')!.commands.find((c) => c.name() === 'list')!;
  list.action(() => undefined);
  program.parse(['node', 'daytona', 'sandbox', 'list', '--state', 'started', 'error', '--state', 'stopped', '--label', 'run=7']);
  expect(list.opts()).toMatchObject({ state: ['started', 'error', 'stopped'], label: { run: '7' }, limit: 100 });
});

it('exec takes everything after -- as the command, options included', () => {
  const { program } = quietProgram();
  const exec = program.commands.find((c) => c.name() === 'sandbox')!.commands.find((c) => c.name() === 'exec')!;
  let seen: unknown[] = [];
  exec.action((idOrName: string, words: string[], options: unknown) => {
    seen = [idOrName, words, options];
  });
  program.parse(['node', 'daytona', 'sandbox', 'exec', 's1', '--cwd', '/tmp', '--', 'ls', '-la', '--json']);
  expect(seen).toEqual(['s1', ['ls', '-la', '--json'], { cwd: '/tmp' }]);
});
