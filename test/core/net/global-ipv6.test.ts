import { describe, expect, it } from 'vitest';
import { classifyAddress, isGlobalUnicastIpv6 } from '../../../src/core/net/address.js';

describe('isGlobalUnicastIpv6', () => {
  it.each([
    ['2a00:1450:4001:1::10', true],
    ['2a02:8108:1a40:3c00::1f', true],
    ['[2a00:1450:4001:1::10]', true],
    ['2001:470:1f0b::2', true],
    // Documentation, 6to4, Teredo: in 2000::/3 but nothing a server is reached on.
    ['2001:db8::10', false],
    ['2002:c000:204::1', false],
    ['2001:0:4136:e378::1', false],
    // Outside 2000::/3: ULA, link-local, loopback, unspecified, IPv4-mapped, a not-yet-allocated block.
    ['fd12:3456:789a::1', false],
    ['fe80::1', false],
    ['::1', false],
    ['::', false],
    ['::ffff:84.1.1.2', false],
    ['4000::1', false],
    // Not IPv6 at all.
    ['84.1.1.2', false],
    ['example.org', false],
    ['', false],
  ])('%s → %s', (address, global) => {
    expect(isGlobalUnicastIpv6(address)).toBe(global);
  });

  it('agrees with the address classes: every global IPv6 address is public there', () => {
    expect(classifyAddress('2a00:1450:4001:1::10')).toBe('public');
    expect(classifyAddress('fd12:3456:789a::1')).toBe('private');
    expect(classifyAddress('fe80::1')).toBe('link-local');
  });
});
