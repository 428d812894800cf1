/** Where a sandbox's home is mounted, and the uid/gid its user has, inside every sandbox. */
export const SANDBOX_HOME = '/home/daytona';
export const SANDBOX_USER_ID = 1000;

export interface BwrapSandboxOptions {
  hostname: string;
  /** Host directory mounted at /home/daytona. */
  home: string;
  snapshotMounts: string[];
  /** Bound over /etc/resolv.conf (egress sandboxes); null leaves the snapshot's. */
  resolvConf: string | null;
  /** Descriptor of the compiled seccomp filter (seccomp/). */
  seccompFd: number;
  /** Program run as the sandbox's main process. */
  command: string[];
}

/** A network namespace of the sandbox's own, never the host's: only `lo` until the runner connects it (network/). */
const NETWORK = ['--unshare-net'];
const resolvConfBind = (file: string | null) => (file ? ['--ro-bind', file, '/etc/resolv.conf'] : []);

/**
 * bwrap argv for one sandbox: new user, pid, ipc, uts and net namespaces, the seccomp filter, the snapshot
 * read-only, a private /tmp, /proc and /dev, and the home as the only writable host directory.
 * bwrap reports the namespaces' pid as JSON on fd 3 once they exist.
 */
export function bwrapArguments(options: BwrapSandboxOptions): string[] {
  return [
    '--unshare-user',
    '--uid', String(SANDBOX_USER_ID),
    '--gid', String(SANDBOX_USER_ID),
    '--unshare-pid',
    // The command (sandbox-init) is pid 1, without a bwrap process of its own above it.
    '--as-pid-1',
    '--unshare-ipc',
    '--unshare-uts',
    ...NETWORK,
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
    ...options.snapshotMounts,
    ...resolvConfBind(options.resolvConf),
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    '--bind', options.home, SANDBOX_HOME,
    '--chdir', SANDBOX_HOME,
    '--hostname', options.hostname,
    '--setenv', 'HOME', SANDBOX_HOME,
    '--seccomp', String(options.seccompFd),
    '--info-fd', '3',
    '--',
    ...options.command,
  ];
}

/** A valid hostname (RFC 1123 label, at most 63 characters) derived from a sandbox name. */
export function sandboxHostname(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return label || 'sandbox';
}

export interface ImageSandboxOptions {
  hostname: string;
  /** The merged overlay, bound as `/`. */
  rootfs: string;
  resolvConf: string | null;
  seccompFd: number;
  /** Descriptor of the user namespace the sandbox's processes end up in (see user-namespaces.ts). */
  sandboxUserNamespaceFd: number;
  command: string[];
}

/**
 * bwrap argv for a sandbox of an image, for bwrap started as root of the setup user namespace:
 * it makes pid, ipc, uts and net namespaces there (owned by setup: the sandbox's root has no
 * capability over them, so none over its network), loads the seccomp filter, binds the merged root filesystem as `/`,
 * adds /proc, /dev and a private /tmp, and moves into the sandbox user namespace before running
 * `command` as root of it. `--assert-userns-disabled` checks that no user namespace can be made
 * from inside (the setup namespace already allows none).
 */
export function imageBwrapArguments(options: ImageSandboxOptions): string[] {
  return [
    '--userns2', String(options.sandboxUserNamespaceFd),
    '--assert-userns-disabled',
    '--unshare-pid',
    // The command (sandbox-init) is pid 1, without a bwrap process of its own above it.
    '--as-pid-1',
    '--unshare-ipc',
    '--unshare-uts',
    ...NETWORK,
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
    '--bind', options.rootfs, '/',
    '--proc', '/proc',
    '--dev', '/dev',
    '--perms', '1777', '--tmpfs', '/tmp',
    ...resolvConfBind(options.resolvConf),
    '--chdir', '/',
    '--hostname', options.hostname,
    '--seccomp', String(options.seccompFd),
    '--info-fd', '3',
    '--',
    ...options.command,
  ];
}
