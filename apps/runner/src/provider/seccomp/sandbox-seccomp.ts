import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../images/run-tool.js';
import { buildOnce } from '../native-build.js';
import { DENIED_SYSCALLS } from './seccomp-policy.js';

const SOURCES = { compiler: 'compile-filter.py', loader: 'seccomp-exec.c' };

/** The compiled seccomp filter of every sandbox, and the loader that puts commands under it. */
export interface SandboxSeccomp {
  /** Classic BPF, as `bwrap --seccomp FD` reads it. */
  filterFile: string;
  /** `seccomp-exec FILTER PROGRAM ARGS…` (seccomp-exec.c). */
  loader: string;
}

/**
 * Compiles the policy with libseccomp (Debian's python3-seccomp) and the loader with cc, once per
 * version of the three sources (native-build.ts). Throws, with the tool's words, when either
 * cannot be built: no sandbox runs without it.
 */
export async function prepareSandboxSeccomp(cacheDir: string): Promise<SandboxSeccomp> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const policy = JSON.stringify(DENIED_SYSCALLS);
  const [compiler, loader] = await Promise.all([readFile(path.join(here, SOURCES.compiler)), readFile(path.join(here, SOURCES.loader))]);
  try {
    const dir = await buildOnce(cacheDir, 'seccomp', [policy, compiler, loader], 'seccomp-exec', async (tmp, tool) => {
      await writeFile(path.join(tmp, 'policy.json'), policy);
      await runTool('/usr/bin/python3', [path.join(here, SOURCES.compiler), path.join(tmp, 'policy.json'), path.join(tmp, 'filter.bpf')], tool);
      await runTool('cc', ['-O2', '-Wall', '-o', path.join(tmp, 'seccomp-exec'), path.join(here, SOURCES.loader)], tool);
    });
    return { filterFile: path.join(dir, 'filter.bpf'), loader: path.join(dir, 'seccomp-exec') };
  } catch (error) {
    throw new Error(`the sandbox seccomp filter could not be built (python3-seccomp and a C compiler are needed): ${(error as Error).message}`);
  }
}
