/**
 * natPmpGateway: NAT-PMP's synchronous read of the default route must agree with host/gateway.ts's reading (lowest
 * metric, only usable routes) and must never block on something that is not a regular file.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIpv4Gateway } from '../../../src/probes/host/gateway.js';
import { natPmpGateway } from '../../../src/probes/natpmp/gateway.js';
import { procRoute, REAL_ROUTE, writeTree } from '../host/fixtures.js';

describe('natPmpGateway', () => {
  it('agrees with defaultIpv4Gateway on real and adversarial route tables', async () => {
    const tables = [
      REAL_ROUTE,
      // lo, a rejected route and a down one come first or lower; the usable lowest metric wins.
      procRoute([
        ['lo', '00000000', '0100007F', '0003', 0, '00000000'],
        ['eth0', '00000000', '0101A8C0', '0203', 0, '00000000'],
        ['eth1', '00000000', '0201A8C0', '0002', 1, '00000000'],
        ['eth2', '00000000', '0301A8C0', '0003', 50, '00000000'],
        ['eth3', '00000000', '0401A8C0', '0003', 20, '00000000'],
        ['eth3', '0001A8C0', '00000000', '0001', 0, '00FFFFFF'],
      ]),
      // A default route without a gateway (a point-to-point VPN) is no NAT-PMP gateway.
      procRoute([['tun0', '00000000', '00000000', '0001', 0, '00000000']]),
      'garbage\nnot a route table at all\n',
      '',
    ];
    const seen: (string | undefined)[] = [];
    for (const table of tables) {
      const tree = await writeTree({ 'proc/net/route': table });
      try {
        const sources = { fsRoot: tree.root, platform: 'linux' as const };
        const expected = await defaultIpv4Gateway(sources);
        expect(natPmpGateway(sources)).toBe(expected);
        seen.push(expected);
      } finally {
        await tree.remove();
      }
    }
    expect(seen).toEqual(['192.0.2.1', '192.168.1.4', undefined, undefined, undefined]);
  });

  it('a missing file, another platform and a FIFO are "no gateway", at once', async () => {
    const tree = await writeTree({ 'proc/net/.keep': '' });
    try {
      expect(natPmpGateway({ fsRoot: tree.root, platform: 'linux' })).toBeUndefined();
      expect(natPmpGateway({ fsRoot: tree.root, platform: 'darwin' })).toBeUndefined();
      // A FIFO with no writer: a blocking open or read would hang this synchronous call (and the test) forever.
      execFileSync('mkfifo', [join(tree.root, 'proc/net/route')]);
      expect(natPmpGateway({ fsRoot: tree.root, platform: 'linux' })).toBeUndefined();
    } finally {
      await tree.remove();
    }
  });
});
