import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../images/run-tool.js';
import { DENIED_SYSCALLS } from './seccomp-policy.js';

const SOURCES = { compiler: 'compile-filter.py', loader: 'seccomp-exec.c' };
const BUILD_TIMEOUT_MS = 60_000;

/** The compiled seccomp filter of every sandbox, and the loader that puts commands under it. */
export interface SandboxSeccomp {
  /** Classic BPF, as `bwrap --seccomp FD` reads it. */
  filterFile: string;
  /** `seccomp-exec FILTER PROGRAM ARGS…` (seccomp-exec.c). */
  loader: string;
}

/**
 * Compiles the policy with libseccomp (Debian's python3-seccomp) and the loader with cc, once per
 * version of the three sources: cached under `cacheDir/{hash}`, so a start costs nothing after the
 * first. Throws, with the tool's words, when either cannot be built: no sandbox runs without it.
 */
export async function prepareSandboxSeccomp(cacheDir: string): Promise<SandboxSeccomp> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const policy = JSON.stringify(DENIED_SYSCALLS);
  const [compiler, loader] = await Promise.all([readFile(path.join(here, SOURCES.compiler)), readFile(path.join(here, SOURCES.loader))]);
  const hash = createHash('sha256').update(policy).update(compiler).update(loader).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir, hash);
  const built: SandboxSeccomp = { filterFile: path.join(dir, 'filter.bpf'), loader: path.join(dir, 'seccomp-exec') };
  if (await exists(built.loader)) return built;

  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { mode: 0o755 });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  const tool = { deadline, deadlineReason: `building the seccomp filter took over ${BUILD_TIMEOUT_MS} ms` };
  try {
    await writeFile(path.join(tmp, 'policy.json'), policy);
    await runTool('/usr/bin/python3', [path.join(here, SOURCES.compiler), path.join(tmp, 'policy.json'), path.join(tmp, 'filter.bpf')], tool);
    await runTool('cc', ['-O2', '-Wall', '-o', path.join(tmp, 'seccomp-exec'), path.join(here, SOURCES.loader)], tool);
    await rename(tmp, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another runner sharing the cache built it first.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await rm(tmp, { recursive: true, force: true });
    });
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw new Error(`the sandbox seccomp filter could not be built (python3-seccomp and a C compiler are needed): ${(error as Error).message}`);
  }
  return built;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
