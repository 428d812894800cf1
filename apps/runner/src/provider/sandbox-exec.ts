import path from 'node:path';

/** Who a sandbox's commands run as, and with what, before the sandbox's and the command's own env. */
export interface SandboxIdentity {
  uid: number;
  gid: number;
  env: Record<string, string>;
  /** Absolute; relative command cwds are resolved against it. */
  workingDir: string;
}

export interface SandboxNamespaces {
  /** Host pid of the sandbox's init. */
  childPid: number;
  hasCgroupNamespace: boolean;
  /** Every process entering the sandbox goes under its seccomp filter first (seccomp/seccomp-exec.c). */
  seccomp: { loader: string; filterFile: string } | null;
}

/** Where an entrypoint's output goes, inside the sandbox (appended to, across starts); sandbox-init.c makes it. */
export const ENTRYPOINT_LOG = '/var/log/daytona-entrypoint.log';

// Inside the sandbox, nothing but /bin/sh is assumed (a busybox image has no GNU env): the shell
// changes directory, exports NAME=value pairs up to a `--`, then runs what follows. Every value
// is its own argv entry; nothing is interpolated into the script.
const PREAMBLE = 'cd "$1" || exit 125; shift; while [ "$1" != -- ]; do export "$1"; shift; done; shift';
const RUN_COMMAND = `${PREAMBLE}; exec /bin/sh -c "$1"`;
const RUN_SCRIPT = `${PREAMBLE}; exec /bin/sh -c "$@"`;
// The log was made writable for the image user by the sandbox's init (imageSandboxInit).
const RUN_ENTRYPOINT = `${PREAMBLE}; if ( : >>${ENTRYPOINT_LOG} ) 2>/dev/null; then exec "$@" >>${ENTRYPOINT_LOG} 2>&1 </dev/null; fi; exec "$@" >/dev/null 2>&1 </dev/null`;

/**
 * argv that enters every namespace of the sandbox as its user, under its seccomp filter (nsenter, run as root on the host,
 * so it can join them; the program then runs as `identity` inside) with the identity's env, then
 * `env`, and cwd resolved against the working directory.
 */
function enter(namespaces: SandboxNamespaces, identity: SandboxIdentity, cwd: string | undefined, env: Record<string, string>, script: string, tail: string[]): string[] {
  const merged = { ...identity.env, ...env };
  return [
    ...nsenterPrefix(namespaces, identity),
    '/bin/sh', '-c', script, 'sh',
    path.posix.resolve(identity.workingDir, cwd ?? '.'),
    ...Object.entries(merged).map(([name, value]) => `${name}=${value}`),
    '--',
    ...tail,
  ];
}

/** Into the sandbox's namespaces as its user, under its seccomp filter. */
function nsenterPrefix(namespaces: SandboxNamespaces, identity: SandboxIdentity): string[] {
  return [
    ...(namespaces.seccomp ? [namespaces.seccomp.loader, namespaces.seccomp.filterFile] : []),
    'nsenter', '-t', String(namespaces.childPid),
    '-U', '-m', '-u', '-i', '-n', '-p', ...(namespaces.hasCgroupNamespace ? ['-C'] : []), '-r', '-w',
    '-S', String(identity.uid), '-G', String(identity.gid),
    '--',
  ];
}

/** A command through /bin/sh -c, as the toolbox runs it. */
export function commandArgv(namespaces: SandboxNamespaces, identity: SandboxIdentity, command: { command: string; cwd?: string; env: Record<string, string> }): string[] {
  return enter(namespaces, identity, command.cwd, command.env, RUN_COMMAND, [command.command]);
}

/** A script through /bin/sh -c, its arguments as $1, $2, … (the toolbox's code runs and sessions). */
export function scriptArgv(namespaces: SandboxNamespaces, identity: SandboxIdentity, program: { script: string; args: string[]; cwd?: string; env: Record<string, string> }): string[] {
  return enter(namespaces, identity, program.cwd, program.env, RUN_SCRIPT, [program.script, 'sh', ...program.args]);
}

/**
 * The toolbox helper, exec'd from the descriptor `fd` the runner holds open on it (so the binary
 * need not exist in the sandbox): /proc/self there is the helper's own, in the sandbox's /proc.
 */
export function helperArgv(namespaces: SandboxNamespaces, identity: SandboxIdentity, fd: number, args: string[]): string[] {
  return [...nsenterPrefix(namespaces, identity), `/proc/self/fd/${fd}`, ...args];
}

/** The entrypoint, exec'd as given, its output appended to ENTRYPOINT_LOG. */
export function entrypointArgv(namespaces: SandboxNamespaces, identity: SandboxIdentity, env: Record<string, string>, argv: string[]): string[] {
  return enter(namespaces, identity, undefined, env, RUN_ENTRYPOINT, argv);
}

/**
 * The main process of a sandbox (sandbox-init.c), exec'd by bwrap from descriptor `fd` of the
 * launch: pid 1 inside, it stays until the runner kills the sandbox. With an entrypoint to come,
 * it first makes ENTRYPOINT_LOG writable for `logOwner` (uid:gid). It says "ready" on fd 4 once
 * bwrap has built the sandbox, and keeps no descriptor of the runner's.
 */
export function sandboxInit(fd: number, logOwner: string | null = null): string[] {
  return [`/proc/self/fd/${fd}`, ...(logOwner ? [logOwner] : [])];
}
