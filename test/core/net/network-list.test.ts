import { describe, expect, it } from 'vitest';
import {
  coversEverything,
  coversPublicAddresses,
  entryContains,
  networkOfCidr,
  parseNetworkEntry,
} from '../../../src/core/net/network-list.js';

describe('parseNetworkEntry', () => {
  it.each([
    ['192.168.1.10', '192.168.1.10/32'],
    ['192.168.1.0/24', '192.168.1.0/24'],
    ['192.168.1.77/24', '192.168.1.0/24'],
    ['192.168.1.0/255.255.255.0', '192.168.1.0/24'],
    ['10.0.0.0/255.0.0.0', '10.0.0.0/8'],
    ['0.0.0.0/0.0.0.0', '0.0.0.0/0'],
    [' 172.16.0.0/12 ', '172.16.0.0/12'],
    ['fd00::/8', 'fd00::/8'],
    ['2001:db8::1', '2001:db8::1/128'],
    ['::/0', '::/0'],
  ])('%s → %s', (text, cidr) => {
    expect(parseNetworkEntry(text)?.cidr).toBe(cidr);
  });

  it.each([
    '',
    '192.168.1.*',
    '192.168.1.0/33',
    '192.168.0.0/255.0.255.0',
    '192.168.1.0/',
    'nas.local',
    '10',
    '0x0a000001',
    '192.168.1.0-192.168.1.255',
    'fd00::/255.0.0.0',
    '2001:db8::/129',
  ])('rejects %j', (text) => {
    expect(parseNetworkEntry(text)).toBeUndefined();
  });
});

describe('ranges', () => {
  const entry = (text: string) => parseNetworkEntry(text)!;
  it('contains by range, across the ip/netmask form', () => {
    expect(entryContains(entry('192.168.1.0/255.255.255.0'), '192.168.1.200')).toBe(true);
    expect(entryContains(entry('192.168.1.0/255.255.255.0'), '192.168.2.1')).toBe(false);
    expect(entryContains(entry('192.168.1.0/24'), 'fd00::1')).toBe(false);
  });
  it('tells ranges that reach public space from private ones', () => {
    expect(
      ['192.168.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '100.64.0.0/10', '127.0.0.1', 'fd00::/8', 'fe80::/10'].map(
        (t) => coversPublicAddresses(entry(t)),
      ),
    ).toEqual(Array(7).fill(false));
    expect(
      ['0.0.0.0/0', '::/0', '10.0.0.0/7', '128.0.0.0/1', '172.0.0.0/8', '8.8.8.8', '2000::/3'].map((t) =>
        coversPublicAddresses(entry(t)),
      ),
    ).toEqual(Array(7).fill(true));
  });
  it('knows "everything"', () => {
    expect(coversEverything(entry('0.0.0.0/0'))).toBe(true);
    expect(coversEverything(entry('::/0'))).toBe(true);
    expect(coversEverything(entry('0.0.0.0/1'))).toBe(false);
  });
  it('gives the network of an interface address', () => {
    expect(networkOfCidr('192.168.1.20/24')).toBe('192.168.1.0/24');
    expect(networkOfCidr('not a cidr')).toBeUndefined();
  });
});
