import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, readlink, writeFile, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { runTool } from '../images/run-tool.js';
import { LAUNCH_ENV } from './cgroup-launcher.js';

export interface IdMap {
  /** Host id that id 0 inside maps to. */
  base: number;
  size: number;
}

const SETUP_TIMEOUT_MS = 10_000;

/**
 * The user namespaces image sandboxes run in, made once per runner and shared by its sandboxes
 * (one id range for now; README "Root inside an image sandbox"):
 *
 * - `setup` maps ids 0..size-1 to host ids base..base+size-1 and allows exactly one user
 *   namespace below it (max_user_namespaces = 1), which is `sandbox`;
 * - `sandbox` maps the same ids onto themselves. bwrap builds each sandbox's mount, pid and
 *   other namespaces as root of `setup`, then moves its processes into `sandbox` (`--userns2`),
 *   where they are root without any power over `setup` or what it owns, and can create no user
 *   namespace: `setup`'s one is taken, and only root of `setup` could raise that limit.
 *
 * The runner holds a descriptor of each (they live as long as one is open or a process is in
 * them); launches pass them to nsenter and bwrap.
 */
export class SandboxUserNamespaces {
  private constructor(
    readonly map: IdMap,
    private readonly setup: FileHandle,
    private readonly sandbox: FileHandle,
  ) {}

  /** The descriptors to hand to a launch: setup's, then sandbox's. */
  get fds(): [number, number] {
    return [this.setup.fd, this.sandbox.fd];
  }

  /** Needs root: writing an id map other than one's own id takes CAP_SETUID on the host. */
  static async create(map: IdMap): Promise<SandboxUserNamespaces> {
    const deadline = Date.now() + SETUP_TIMEOUT_MS;
    const tool = { deadline, deadlineReason: `setting up the sandbox user namespaces took over ${SETUP_TIMEOUT_MS} ms` };
    const holders: Holder[] = [];
    try {
      const outer = holdNamespace(['unshare', '--user', '--', 'sleep', 'infinity'], holders);
      const hostNamespace = await readlink('/proc/self/ns/user');
      const setupNamespace = await untilOwnNamespace(outer, hostNamespace, deadline);
      await writeFile(`/proc/${outer.child.pid}/uid_map`, `0 ${map.base} ${map.size}\n`);
      await writeFile(`/proc/${outer.child.pid}/gid_map`, `0 ${map.base} ${map.size}\n`);

      // Root of `setup` limits it to one child namespace and makes that child.
      const enterSetup = [`--user=/proc/${outer.child.pid}/ns/user`, '--setuid=0', '--setgid=0', '--'];
      const inner = holdNamespace(
        ['nsenter', ...enterSetup, '/bin/sh', '-c', 'echo 1 > /proc/sys/user/max_user_namespaces && exec unshare --user -- sleep infinity'],
        holders,
      );
      await untilOwnNamespace(inner, setupNamespace, deadline);
      // Only a process in `setup` may write the map of a namespace below it.
      await runTool(
        'nsenter',
        [...enterSetup, '/bin/sh', '-c', 'echo "0 0 $2" > "/proc/$1/uid_map" && echo "0 0 $2" > "/proc/$1/gid_map"', 'sh', String(inner.child.pid), String(map.size)],
        tool,
      );
      const setup = await open(`/proc/${outer.child.pid}/ns/user`, 'r');
      const sandbox = await open(`/proc/${inner.child.pid}/ns/user`, 'r').catch(async (error: Error) => {
        await setup.close();
        throw error;
      });
      return new SandboxUserNamespaces(map, setup, sandbox);
    } finally {
      for (const holder of holders) holder.child.kill('SIGKILL');
    }
  }

  async close(): Promise<void> {
    await this.setup.close().catch(() => undefined);
    await this.sandbox.close().catch(() => undefined);
  }
}

interface Holder {
  child: ChildProcess;
  /** Set once the process ended: how, and what it printed. */
  ended: string | null;
}

/** A process whose only job is to be in a namespace until it is killed. */
function holdNamespace(argv: string[], holders: Holder[]): Holder {
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: LAUNCH_ENV });
  const holder: Holder = { child, ended: null };
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.once('exit', (code, signal) => (holder.ended = `${argv[0]} ended with ${code ?? signal}: ${stderr.trim() || 'no output'}`));
  child.once('error', (error) => (holder.ended = `${argv[0]} could not run: ${error.message}`));
  holders.push(holder);
  return holder;
}

/**
 * Waits until the holder is in a user namespace other than `parent` and has become `sleep`;
 * resolves with the namespace's name. In the middle of that exec, its /proc files belong to host
 * root and cannot be written from inside the namespace.
 */
async function untilOwnNamespace(holder: Holder, parent: string, deadline: number): Promise<string> {
  for (;;) {
    if (holder.ended) throw new Error(holder.ended);
    const namespace = await readlink(`/proc/${holder.child.pid}/ns/user`).catch(() => parent);
    const program = await readFile(`/proc/${holder.child.pid}/comm`, 'utf8').catch(() => '');
    if (namespace !== parent && program === 'sleep\n') return namespace;
    if (Date.now() > deadline) throw new Error(`${holder.child.spawnfile} made no user namespace within ${SETUP_TIMEOUT_MS} ms`);
    await sleep(2);
  }
}
