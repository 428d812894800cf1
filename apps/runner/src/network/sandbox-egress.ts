import { networkInterfaces } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import type { LaunchedProcess } from '../provider/launch/launch-server.js';
import { egressRuleset } from './egress-ruleset.js';

export interface EgressConnection {
  /** Host pid of the sandbox's init: its network namespace is the one connected. */
  sandboxPid: number;
  /** null: the public internet; else the only CIDRs reachable. */
  allowList: string[] | null;
  rulesFile: string;
  logFile: string;
  /** The resolver the sandbox's resolv.conf names, if any. */
  dns: string | null;
  /**
   * Starts `argv` in the sandbox's cgroups (slirp4netns lives and dies with the sandbox, and the
   * watchdog finds it), its output in `logFile`.
   */
  launch: (argv: string[], logFile: string) => LaunchedProcess;
}

// The filter is in place before slirp4netns starts: until then the namespace has only `lo`.
const FILTER_THEN_CONNECT = 'pid=$1 rules=$2; shift 2; nsenter -t "$pid" -n nft -f "$rules" || exit 125; exec "$@"';
// Generous: only a wedged host takes this long to configure a tap device.
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Gives a started sandbox egress: nftables rules in its network namespace (made by bwrap as root
 * of the setup user namespace, so the sandbox's root has no CAP_NET_ADMIN over it), then
 * slirp4netns, user-mode networking whose connections leave from the host as ordinary sockets. It
 * forwards no port in either direction and never lets the gateway address reach the host's
 * loopback (--disable-host-loopback) and relays no DNS of its own; it confines itself (--enable-sandbox: an empty root and no
 * capabilities; --enable-seccomp). DNS goes to the resolver as any other flow. About 3 MB per
 * sandbox, where pasta took 20. Resolves once it has configured the namespace; rejects with its words.
 */
export async function connectEgress(connection: EgressConnection): Promise<void> {
  const hostAddresses = Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address));
  await writeFile(connection.rulesFile, egressRuleset({ allowList: connection.allowList, hostAddresses, dns: connection.dns }), { mode: 0o600 });
  const slirp = [
    'slirp4netns',
    '--configure', '--mtu=65520', '--disable-host-loopback',
    // Its resolver at 10.0.2.3 would relay to the host's, which may listen on the host's loopback.
    '--disable-dns',
    '--enable-sandbox', '--enable-seccomp',
    // fd 4 of a launch: its "ready" pipe (launch-server.c).
    '--ready-fd=4',
    // By path: given a pid it would also enter that process's user namespace, which has no power
    // over this network namespace (setup's, user-namespaces.ts).
    '--netns-type=path', `/proc/${connection.sandboxPid}/ns/net`, 'tap0',
  ];
  const child = connection.launch(['/bin/sh', '-c', FILTER_THEN_CONNECT, 'sh', String(connection.sandboxPid), connection.rulesFile, ...slirp], connection.logFile);
  let timer: NodeJS.Timeout | undefined;
  const how = await Promise.race([
    child.ready.then(() => 'ok'),
    child.exited,
    new Promise<string>((resolve) => (timer = setTimeout(resolve, CONNECT_TIMEOUT_MS, `not ready after ${CONNECT_TIMEOUT_MS} ms`))),
  ]).finally(() => clearTimeout(timer));
  if (how === 'ok') return;
  child.kill('SIGKILL');
  const words = (await readFile(connection.logFile, 'utf8').catch(() => '')).trim().slice(-1000) || 'no output';
  throw new Error(`the sandbox's network could not be set up (${how}): ${words}`);
}

/** /etc/resolv.conf of an egress sandbox: the resolver, or none (names do not resolve). */
export function sandboxResolvConf(dns: string | null): string {
  return dns ? `nameserver ${dns}\n` : '# no resolver: set RUNNER_SANDBOX_DNS on the runner\n';
}

/**
 * The resolver of egress sandboxes: RUNNER_SANDBOX_DNS, else the host's first IPv4 nameserver that
 * a sandbox can reach (not loopback: a sandbox's 127.0.0.1 is its own).
 */
export async function sandboxResolver(configured: string | null): Promise<string | null> {
  if (configured) return configured;
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  for (const [, address] of text.matchAll(/^\s*nameserver\s+(\S+)/gm)) {
    if (isIPv4(address) && !address.startsWith('127.')) return address;
  }
  return null;
}
