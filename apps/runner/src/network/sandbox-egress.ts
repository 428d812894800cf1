import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { open, readFile, writeFile } from 'node:fs/promises';
import { LAUNCH_ENV, launchInCgroups } from '../provider/cgroup-launcher.js';
import { isIPv4 } from 'node:net';
import { egressRuleset } from './egress-ruleset.js';

export interface EgressConnection {
  /** Host pid of the sandbox's init: its network namespace is the one connected. */
  sandboxPid: number;
  /** null: the public internet; else the only CIDRs reachable. */
  allowList: string[] | null;
  /** The sandbox's cgroups: pasta lives and dies with the sandbox, and the watchdog finds it. */
  procsFiles: string[];
  rulesFile: string;
  logFile: string;
  /** The resolver the sandbox's resolv.conf names, if any. */
  dns: string | null;
}

// The filter is in place before pasta starts: until then the namespace has only `lo`.
const FILTER_THEN_CONNECT = 'pid=$1 rules=$2; shift 2; nsenter -t "$pid" -n nft -f "$rules" || exit 125; exec "$@" 3<"/proc/$pid/ns/net"';

/**
 * Gives a started sandbox egress: nftables rules in its network namespace (made by bwrap as root
 * of the setup user namespace, so the sandbox's root has no CAP_NET_ADMIN over it), then pasta,
 * user-mode networking whose connections leave from the host as ordinary sockets. pasta never
 * maps the gateway to the host (--no-map-gw) and forwards no port in either direction; DNS goes to
 * the resolver as any other flow (this pasta's own DNS forwarding goes to the host's port 53).
 * Resolves once pasta has configured the namespace (it daemonizes then); rejects with its words.
 */
export async function connectEgress(connection: EgressConnection): Promise<void> {
  const hostAddresses = Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address));
  await writeFile(connection.rulesFile, egressRuleset({ allowList: connection.allowList, hostAddresses, dns: connection.dns }), { mode: 0o600 });
  const pasta = [
    'pasta',
    // This pasta joins a namespace it did not create only as root; it then confines itself (an
    // empty root, no capabilities but CAP_NET_BIND_SERVICE and CAP_SYS_ADMIN, its own seccomp filter).
    '--runas', '0',
    '--netns', '/proc/self/fd/3',
    '--ipv4-only', '--config-net', '--no-map-gw',
    '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none',
    '--quiet',
  ];
  const { file, args } = launchInCgroups(connection.procsFiles, ['/bin/sh', '-c', FILTER_THEN_CONNECT, 'sh', String(connection.sandboxPid), connection.rulesFile, ...pasta]);
  const log = await open(connection.logFile, 'w', 0o600);
  let exited: Promise<string>;
  try {
    const child = spawn(file, args, { stdio: ['ignore', log.fd, log.fd], env: LAUNCH_ENV });
    exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(code === 0 ? 'ok' : `exit ${code ?? signal}`));
      child.once('error', (error) => resolve(`spawn error ${error.message}`));
    });
  } finally {
    await log.close();
  }
  const how = await exited;
  if (how === 'ok') return;
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
