import { egressRuleset } from './egress-ruleset.js';

describe('egressRuleset', () => {
  it('blocks private ranges and the host, not the internet, when nothing is allow-listed', () => {
    const rules = egressRuleset({ allowList: null, hostAddresses: ['192.0.2.2', '127.0.0.1', 'fe80::1', '198.18.0.254'], dns: '10.255.255.53' });
    expect(rules).toContain('ip daddr { 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, 192.0.2.2, 198.18.0.254 } reject');
    expect(rules).toContain('ip daddr { 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/3 } reject');
    expect(rules).not.toMatch(/^\s+reject$/m);
    // The resolver, in a private range here, is open on port 53 only, before any block.
    expect(rules.indexOf('ip daddr 10.255.255.53 udp dport 53 accept')).toBeLessThan(rules.indexOf('10.0.0.0/8'));
    expect(rules).toContain('ip daddr 10.255.255.53 tcp dport 53 accept');
  });

  it('accepts only the allow list, after the blocks no list lifts', () => {
    const rules = egressRuleset({ allowList: ['198.18.0.0/24', '10.0.0.0/8'], hostAddresses: ['192.0.2.2'], dns: null }).split('\n').map((line) => line.trim());
    const [always, allowed, rest] = [
      rules.indexOf('ip daddr { 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16, 224.0.0.0/3 } reject'),
      rules.indexOf('ip daddr { 198.18.0.0/24, 10.0.0.0/8 } accept'),
      rules.lastIndexOf('reject'),
    ];
    expect(always).toBeGreaterThan(0);
    expect(allowed).toBeGreaterThan(always);
    expect(rest).toBeGreaterThan(allowed);
  });
});
