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

/** Where an entrypoint's output goes, inside the sandbox (appended to, across starts). */
export const ENTRYPOINT_LOG = '/var/log/daytona-entrypoint.log';

// Inside the sandbox, nothing but /bin/sh is assumed (a busybox image has no GNU env): the shell
// changes directory, exports NAME=value pairs up to a `--`, then runs what follows. Every value
// is its own argv entry; nothing is interpolated into the script.
const PREAMBLE = 'cd "$1" || exit 125; shift; while [ "$1" != -- ]; do export "$1"; shift; done; shift';
const RUN_COMMAND = `${PREAMBLE}; exec /bin/sh -c "$1"`;
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
    ...(namespaces.seccomp ? [namespaces.seccomp.loader, namespaces.seccomp.filterFile] : []),
    'nsenter', '-t', String(namespaces.childPid),
    '-U', '-m', '-u', '-i', '-n', '-p', ...(namespaces.hasCgroupNamespace ? ['-C'] : []), '-r', '-w',
    '-S', String(identity.uid), '-G', String(identity.gid),
    '--',
    '/bin/sh', '-c', script, 'sh',
    path.posix.resolve(identity.workingDir, cwd ?? '.'),
    ...Object.entries(merged).map(([name, value]) => `${name}=${value}`),
    '--',
    ...tail,
  ];
}

/** A command through /bin/sh -c, as the toolbox runs it. */
export function commandArgv(namespaces: SandboxNamespaces, identity: SandboxIdentity, command: { command: string; cwd?: string; env: Record<string, string> }): string[] {
  return enter(namespaces, identity, command.cwd, command.env, RUN_COMMAND, [command.command]);
}

/** The entrypoint, exec'd as given, its output appended to ENTRYPOINT_LOG. */
export function entrypointArgv(namespaces: SandboxNamespaces, identity: SandboxIdentity, env: Record<string, string>, argv: string[]): string[] {
  return enter(namespaces, identity, undefined, env, RUN_ENTRYPOINT, argv);
}

/**
 * The main process of an image sandbox, run as root inside: it stays, doing nothing, until the
 * runner kills the sandbox (sleep where the image has one, else a shell that stops itself). With
 * an entrypoint to come, it first makes ENTRYPOINT_LOG writable for `logOwner` (uid:gid).
 * It says "ready" on fd 4 once bwrap has built the sandbox, and keeps no descriptor of the runner's.
 */
export function imageSandboxInit(logOwner: string | null): string[] {
  const prepareLog = `( mkdir -p ${path.posix.dirname(ENTRYPOINT_LOG)} && : >>${ENTRYPOINT_LOG} && chown "$1" ${ENTRYPOINT_LOG} ) 2>/dev/null; `;
  const script =
    'exec 3>&- 5>&- 6>&- 7>&- 8>&- 9>&-; ' +
    `${logOwner ? prepareLog : ''}` +
    'echo ready >&4 && exec 4>&- && { command -v sleep >/dev/null && exec sleep infinity; while kill -STOP $$; do :; done; }';
  return ['/bin/sh', '-c', script, 'sh', logOwner ?? ''];
}
