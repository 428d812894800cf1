import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool, ToolError } from '../../images/run-tool.js';
import { buildOnce } from '../native-build.js';

/** The overlay a sandbox of an image gets as its root. */
export interface OverlayDirs {
  /** The image's rootfs, shared by every sandbox of the image, never written. */
  lower: string;
  /** The sandbox's own changes (on its disk). */
  upper: string;
  /** overlayfs' scratch space, on the same filesystem as upper. */
  work: string;
  /** Where the merged view appears, bound by bwrap as the sandbox's `/`. */
  merged: string;
}

/** A sandbox's own filesystem (disk/sandbox-disk.ts). */
export interface LaunchDisk {
  /** Sparse file holding it, made from `template` at the sandbox's first start. */
  image: string;
  /** Where it is mounted, in the sandbox's own mount namespace. */
  mountPoint: string;
  /** Where the launch notes the loop device it took (releaseDisk reads it). */
  deviceRecord: string;
  /** An empty filesystem of the sandbox's size, made once (diskTemplate). */
  template: string;
}

/** What happens between the fork of a sandbox's first process and the exec of `argv`, in this order. */
export interface LaunchSteps {
  /** cgroup.procs files to join first. */
  cgroupProcs: string[];
  disk: LaunchDisk | null;
  /** Needs `disk`: the upper layer is on it. */
  overlay: OverlayDirs | null;
  /** Descriptor of a user namespace to enter as its root. */
  userNamespaceFd: number | null;
  /** Host ids to become (a `host` sandbox's bwrap runs unprivileged). */
  dropTo: { uid: number; gid: number } | null;
  argv: string[];
}

/**
 * argv of `sandbox-launch` (sandbox-launch.c) for these steps: one process joins the cgroups,
 * makes the sandbox's own mount namespace with its disk and root, takes its user, then execs
 * `argv`. A step that fails ends it with 126, its reason on stderr.
 */
export function sandboxLaunchArgv(launcher: string, steps: LaunchSteps): string[] {
  const args = [launcher, ...steps.cgroupProcs.flatMap((file) => ['--cgroup', file])];
  if (steps.disk) args.push('--disk', steps.disk.image, steps.disk.mountPoint, steps.disk.deviceRecord, steps.disk.template);
  if (steps.overlay) {
    const { lower, upper, work, merged } = steps.overlay;
    for (const dir of [lower, upper, work]) {
      // Commas and colons separate overlayfs options and layers: such a path would be misread.
      if (/[,:\\]/.test(dir)) throw new ToolError(`Refusing overlay directory ${JSON.stringify(dir)}: it contains , : or \\`);
    }
    args.push('--overlay', lower, upper, work, merged);
  }
  if (steps.userNamespaceFd !== null) args.push('--userns', String(steps.userNamespaceFd));
  if (steps.dropTo) args.push('--drop', String(steps.dropTo.uid), String(steps.dropTo.gid));
  return [...args, '--', ...steps.argv];
}

/** The compiled launch tools: launch-server forks sandbox-launch, which execs bwrap, which execs sandbox-init. */
export interface LaunchTools {
  launcher: string;
  server: string;
  init: string;
}

/**
 * sandbox-launch.c, launch-server.c and sandbox-init.c, compiled with cc once per version of their sources
 * (native-build.ts). Static: they run once or more per sandbox start, and dynamic ones spend a
 * third of that loading libc. Throws, with the compiler's words, when they cannot be built.
 */
export async function prepareLaunchTools(cacheDir: string): Promise<LaunchTools> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const names = { launcher: 'sandbox-launch', server: 'launch-server', init: 'sandbox-init' } as const;
  const inputs = await Promise.all(Object.values(names).map((name) => readFile(path.join(here, `${name}.c`))));
  try {
    const dir = await buildOnce(cacheDir, 'launch', inputs, names.init, async (tmp, tool) => {
      for (const name of Object.values(names)) await runTool('cc', ['-O2', '-Wall', '-static', '-o', path.join(tmp, name), path.join(here, `${name}.c`)], tool);
    });
    return { launcher: path.join(dir, names.launcher), server: path.join(dir, names.server), init: path.join(dir, names.init) };
  } catch (error) {
    throw new Error(`the sandbox launch tools could not be built (a C compiler and libc6-dev are needed): ${(error as Error).message}`);
  }
}
