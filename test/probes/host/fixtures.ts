// Fixture trees for the host probe: a fake filesystem root (written to a temp dir) and a fake os.networkInterfaces().
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export async function writeTree(files: Record<string, string>): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'plexdiag-host-'));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

export function nic(address: string, cidrBits: number, internal = false): NetworkInterfaceInfo {
  const v6 = address.includes(':');
  return v6
    ? {
        address,
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: '00:00:00:00:00:00',
        internal,
        cidr: `${address}/${cidrBits}`,
        scopeid: 0,
      }
    : {
        address,
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal,
        cidr: `${address}/${cidrBits}`,
      };
}

export const LOOPBACK = { lo: [nic('127.0.0.1', 8, true), nic('::1', 128, true)] };

const ROUTE_HEADER = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT';
/** /proc/net/route lines: [iface, destHex, gatewayHex, flagsHex, metric, maskHex]. */
export function procRoute(rows: [string, string, string, string, number, string][]): string {
  return (
    [ROUTE_HEADER, ...rows.map(([i, d, g, f, m, mask]) => `${i}\t${d}\t${g}\t${f}\t0\t0\t${m}\t${mask}\t0\t0\t0`)].join(
      '\n',
    ) + '\n'
  );
}

/** This VM's real /proc/net/route and /proc/net/ipv6_route (gateway 192.0.2.1, fd00::1), verbatim. */
export const REAL_ROUTE = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT                                                       
eth0	00000000	010200C0	0003	0	0	0	00000000	0	0	0                                                                               
eth0	000200C0	00000000	0001	0	0	0	00FFFFFF	0	0	0                                                                               
`;
export const REAL_IPV6_ROUTE = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;

export const HOST_CGROUP_V2 = '0::/init.scope\n';
export const HOST_MOUNTINFO =
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 22 0:21 / /proc rw,relatime - proc proc rw\n';
