import { Command } from 'commander';
import type { Snapshot } from '@daytonaio/sdk';
import { daytonaFor } from '../client.js';
import { parsePositiveInteger, parsePositiveNumber } from '../options.js';
import { formatTable, printJson, printLine, printNote } from '../output.js';

export function snapshotCommand(): Command {
  const snapshot = new Command('snapshot').description('Snapshots: OCI images that sandboxes are created from');
  snapshot
    .command('create')
    .description('Register an image as a snapshot and wait until a runner has pulled it')
    .argument('<name>', 'unique among the organization\'s snapshots')
    .requiredOption('--image <ref>', 'an image reference every runner can pull, e.g. registry.example.com/team/python:3.12')
    .option('--cpu <n>', 'CPU cores of each sandbox (server default 1)', parsePositiveInteger)
    .option('--memory <GiB>', 'memory of each sandbox (server default 1)', parsePositiveInteger)
    .option('--disk <GiB>', 'disk of each sandbox (server default 3)', parsePositiveInteger)
    .option('--timeout <seconds>', 'how long to wait until it is active', parsePositiveNumber, 900)
    .option('--json', 'print the snapshot as JSON')
    .action(async (name: string, options: SnapshotCreateOptions, command: Command) => {
      const created = await daytonaFor(command).snapshot.create(
        { name, image: options.image, resources: { cpu: options.cpu, memory: options.memory, disk: options.disk } },
        { timeout: options.timeout, onLogs: (line) => printNote(line) },
      );
      if (options.json) printJson(created);
      else printLine(`${created.name} ${created.state} (${created.imageName})`);
    });
  snapshot
    .command('list')
    .description("List the organization's snapshots and the general ones")
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const snapshots = await listAllSnapshots(command);
      if (options.json) printJson(snapshots);
      else printLine(formatTable(['NAME', 'STATE', 'IMAGE', 'CPU', 'MEMORY', 'DISK', 'GENERAL'], snapshots.map(tableRow)).trimEnd());
    });
  snapshot
    .command('delete')
    .description('Delete a snapshot (refused while live sandboxes use it)')
    .argument('<name>', 'snapshot name or id')
    .action(async (name: string, _options: unknown, command: Command) => {
      await daytonaFor(command).snapshot.delete(name);
      printLine(`Deleted snapshot ${name}`);
    });
  return snapshot;
}

/** Every page: an organization has few snapshots, and the table is more use whole. */
async function listAllSnapshots(command: Command): Promise<Snapshot[]> {
  const daytona = daytonaFor(command);
  const snapshots: Snapshot[] = [];
  for (let page = 1; ; page++) {
    const result = await daytona.snapshot.list(page, PAGE_SIZE);
    snapshots.push(...result.items);
    if (page >= result.totalPages) return snapshots;
  }
}

const PAGE_SIZE = 100;

interface SnapshotCreateOptions {
  image: string;
  cpu?: number;
  memory?: number;
  disk?: number;
  timeout: number;
  json?: boolean;
}

function tableRow(snapshot: Snapshot): string[] {
  const state = snapshot.errorReason ? `${snapshot.state}: ${snapshot.errorReason}` : snapshot.state;
  return [snapshot.name, state, snapshot.imageName, String(snapshot.cpu), `${snapshot.memory} GiB`, `${snapshot.disk} GiB`, snapshot.general ? 'yes' : 'no'];
}
