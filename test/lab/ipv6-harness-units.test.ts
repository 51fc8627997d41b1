/** The harness's IPv6 additions, without namespaces: the scenario knob, its addresses, and the router's pinhole. */
import { describe, expect, it } from 'vitest';
import { isGlobalUnicastIpv6 } from '../../src/core/net/address.js';
import { homeRouterRuleset } from './harness/nft.js';
import { addressesOf, LAB_IPV6, normalizeScenario } from './harness/scenario.js';

describe('lab IPv6 (ipv6: true)', () => {
  it('is off by default, and other scenarios get no IPv6 address', () => {
    expect(normalizeScenario({}).ipv6).toBe(false);
    expect(addressesOf(normalizeScenario({ wan: 'cgnat' }))).not.toHaveProperty('serverIpv6');
  });

  it('gives the server its global address', () => {
    expect(addressesOf(normalizeScenario({ wan: 'cgnat', ipv6: true })).serverIpv6).toBe(LAB_IPV6.lanHost);
  });

  it('uses addresses our own classifier takes for global (documentation space would count as reserved)', () => {
    for (const address of [LAB_IPV6.lanHost, LAB_IPV6.remoteClient, LAB_IPV6.routerWan])
      expect(isGlobalUnicastIpv6(address), address).toBe(true);
  });

  it('is refused where it is not wired (container)', () => {
    expect(() => normalizeScenario({ ipv6: true, container: {} })).toThrow(/ipv6/);
  });

  it("adds the router's inbound IPv6 rule only when asked, leaving the IPv4 ruleset as it was", () => {
    const forwards = [{ externalPort: 32400, internalHost: '192.168.1.10', internalPort: 32400 }];
    const plain = homeRouterRuleset(forwards);
    const withPinhole = homeRouterRuleset(forwards, [{ address: LAB_IPV6.lanHost, port: 32400 }]);
    expect(plain).not.toContain('ip6');
    expect(withPinhole).toContain(`iifname "wan0" oifname "lan0" ip6 daddr ${LAB_IPV6.lanHost} tcp dport 32400 accept`);
    expect(withPinhole.replace(/^.*ip6 daddr.*\n/m, '')).toBe(plain);
  });
});
