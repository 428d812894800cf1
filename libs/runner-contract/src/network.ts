import { isIPv4 } from 'node:net';
import { z } from 'zod';

/** Most CIDRs one sandbox's networkAllowList may name (Daytona's limit). */
export const MAX_NETWORK_ALLOW_LIST_ENTRIES = 10;

/**
 * An IPv4 CIDR (`198.18.0.0/15`), in canonical form (host bits cleared). Sandboxes have no IPv6
 * egress, so an IPv6 entry would only mislead.
 */
export function parseIpv4Cidr(text: string): string | null {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!match || !isIPv4(match[1])) return null;
  const prefix = Number(match[2]);
  if (prefix > 32) return null;
  const value = match[1].split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  const network = Number((BigInt(value) & BigInt(mask)).toString());
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/**
 * `networkAllowList` as the API takes it (comma-separated IPv4 CIDRs, at most 10): the canonical
 * entries, or the reason it is not one.
 */
export function parseNetworkAllowList(text: string): { ok: true; cidrs: string[] } | { ok: false; reason: string } {
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_NETWORK_ALLOW_LIST_ENTRIES) return { ok: false, reason: `at most ${MAX_NETWORK_ALLOW_LIST_ENTRIES} CIDRs` };
  const cidrs: string[] = [];
  for (const entry of entries) {
    const cidr = parseIpv4Cidr(entry);
    if (!cidr) return { ok: false, reason: `"${entry.slice(0, 64)}" is not an IPv4 CIDR such as 198.18.0.0/15` };
    cidrs.push(cidr);
  }
  return { ok: true, cidrs: [...new Set(cidrs)] };
}

export const ipv4Cidr = z.string().refine((value) => parseIpv4Cidr(value) === value, 'must be a canonical IPv4 CIDR such as 198.18.0.0/15');
