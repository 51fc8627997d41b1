import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  defaultIpv4Gateway,
  ipv4FromProcHex,
  ipv6FromProcHex,
  parseProcIpv6Route,
  parseProcNetRoute,
  readRoutes,
} from '../../../src/probes/host/gateway.js';
import { procRoute, REAL_IPV6_ROUTE, REAL_ROUTE, writeTree } from './fixtures.js';

describe('/proc route parsing', () => {
  it('decodes little-endian IPv4 hex and big-endian IPv6 hex', () => {
    expect(ipv4FromProcHex('0101A8C0')).toBe('192.168.1.1');
    expect(ipv4FromProcHex('010200C0')).toBe('192.0.2.1');
    expect(ipv4FromProcHex('00000000')).toBe('0.0.0.0');
    expect(ipv4FromProcHex('zz')).toBeUndefined();
    expect(ipv6FromProcHex('fd000000000000000000000000000001')).toBe('fd00::1');
    expect(ipv6FromProcHex('00000000000000000000000000000000')).toBe('::');
  });

  it("reads this VM's real tables: default via 192.0.2.1 on eth0, IPv6 via fd00::1, lo reject routes dropped", async () => {
    const tree = await writeTree({ 'proc/net/route': REAL_ROUTE, 'proc/net/ipv6_route': REAL_IPV6_ROUTE });
    try {
      const reading = await readRoutes({ fsRoot: tree.root, platform: 'linux' });
      expect(reading.defaultRoutes).toEqual([
        { interface: 'eth0', gateway: '192.0.2.1', family: 4, metric: 0 },
        { interface: 'eth0', gateway: 'fd00::1', family: 6, metric: 1024 },
      ]);
      expect(reading.routes).toContainEqual({ interface: 'eth0', destination: '192.0.2.0/24', family: 4, metric: 0 });
      expect(reading.routes.some((route) => route.interface === 'lo')).toBe(false);
      expect(await defaultIpv4Gateway({ fsRoot: tree.root, platform: 'linux' })).toBe('192.0.2.1');
    } finally {
      await tree.remove();
    }
  });

  it('picks the lowest metric default and skips routes that are down', () => {
    const routes = parseProcNetRoute(
      procRoute([
        ['wlan0', '00000000', '0100A8C0', '0003', 600, '00000000'],
        ['eth0', '00000000', '0101A8C0', '0003', 100, '00000000'],
        ['eth1', '00000000', '0102A8C0', '0002', 50, '00000000'], // not RTF_UP
      ]),
    );
    expect(routes).toHaveLength(3);
    expect(routes.map((r) => [r.interface, r.gateway, r.metric])).toEqual([
      ['wlan0', '192.168.0.1', 600],
      ['eth0', '192.168.1.1', 100],
      ['eth1', '192.168.2.1', 50],
    ]);
  });

  it('says so on other platforms and when /proc is missing', async () => {
    const darwin = await readRoutes({ platform: 'darwin' });
    expect(darwin.defaultRoutes).toEqual([]);
    expect(darwin.notes[0]).toMatch(/only Linux/);
    const tree = await writeTree({});
    try {
      const empty = await readRoutes({ fsRoot: tree.root, platform: 'linux' });
      expect(empty.defaultRoutes).toEqual([]);
      expect(empty.notes[0]).toMatch(/could not be read/);
      expect(await defaultIpv4Gateway({ fsRoot: tree.root, platform: 'linux' })).toBeUndefined();
    } finally {
      await tree.remove();
    }
  });

  it('never throws on arbitrary text (property)', () => {
    const hexish = fc.string({
      unit: fc.constantFrom('0', '1', 'a', 'F', ' ', '\t', '\n', 'x', 'e', 't', 'h'),
      maxLength: 400,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), hexish), (text) => {
        for (const route of [...parseProcNetRoute(text), ...parseProcIpv6Route(text)]) {
          expect(route.destination).toMatch(/\/\d+$/);
        }
      }),
      { numRuns: 400 },
    );
  });
});
