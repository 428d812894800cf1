import { isIPv4 } from 'node:net';

/** Never reachable, allow-listed or not: the host's loopback and link-local addresses (cloud metadata at 169.254.169.254). */
export const ALWAYS_BLOCKED = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3'];
/** Not reachable unless allow-listed: private and shared ranges. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'];

export interface EgressPolicy {
  /** CIDRs that are the only destinations, or null for the public internet. */
  allowList: string[] | null;
  /** The host's own IPv4 addresses, blocked like private ranges. */
  hostAddresses: string[];
  /** The resolver the sandbox's resolv.conf names: port 53 of it is open whatever the ranges say. */
  dns: string | null;
}

/**
 * The nftables ruleset of one egress sandbox's network namespace, applied by the runner before
 * slirp4netns connects it: output is filtered by destination, so what slirp4netns carries out is
 * only what the sandbox may reach. Rejected, not dropped, so a client fails at once. IPv6 carries
 * nothing (slirp4netns runs IPv4-only here; this keeps it so). The namespace belongs to no user
 * namespace of the sandbox: its root cannot change any of this.
 */
export function egressRuleset(policy: EgressPolicy): string {
  const hosts = [...new Set(policy.hostAddresses.filter((address) => isIPv4(address) && !address.startsWith('127.')))];
  const rules = [
    'oifname "lo" accept',
    ...(policy.dns ? [`ip daddr ${policy.dns} udp dport 53 accept`, `ip daddr ${policy.dns} tcp dport 53 accept`] : []),
    'meta nfproto ipv6 reject',
    `ip daddr { ${ALWAYS_BLOCKED.join(', ')} } reject`,
    ...(policy.allowList
      ? [`ip daddr { ${policy.allowList.join(', ')} } accept`, 'reject']
      : [`ip daddr { ${[...PRIVATE_RANGES, ...hosts].join(', ')} } reject`]),
  ];
  return [
    'table inet daytona_sandbox {',
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    ...rules.map((rule) => `    ${rule}`),
    '  }',
    '}',
    '',
  ].join('\n');
}
