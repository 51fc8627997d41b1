import { afterEach, describe, expect, it } from 'vitest';
import { probeHost, HostInfo, type ProbeHostOptions } from '../../../src/probes/host/index.js';
import { HOST_CGROUP_V2, HOST_MOUNTINFO, LOOPBACK, nic, procRoute, writeTree } from './fixtures.js';

const trees: { remove(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(trees.splice(0).map((tree) => tree.remove()));
});

async function hostValue(
  files: Record<string, string>,
  options: Omit<ProbeHostOptions, 'fsRoot'> = {},
): Promise<HostInfo> {
  const tree = await writeTree(files);
  trees.push(tree);
  const result = await probeHost({
    platform: 'linux',
    hostname: () => 'box',
    env: {},
    networkInterfaces: () => LOOPBACK,
    ...options,
    fsRoot: tree.root,
  });
  if (result.status !== 'ok') throw new Error(JSON.stringify(result.error));
  expect(HostInfo.parse(JSON.parse(JSON.stringify(result.value)))).toEqual(result.value);
  return result.value;
}

const DEFAULT_VIA_ETH0 = procRoute([
  ['eth0', '00000000', '0101A8C0', '0003', 100, '00000000'],
  ['eth0', '0001A8C0', '00000000', '0001', 100, '00FFFFFF'],
]);

describe('probeHost on fixture trees', () => {
  it('plain host: LAN address, default gateway, no container, no bridge, no VPN', async () => {
    const value = await hostValue(
      {
        'proc/net/route': DEFAULT_VIA_ETH0,
        'proc/1/cgroup': HOST_CGROUP_V2,
        'proc/self/cgroup': HOST_CGROUP_V2,
        'proc/self/mountinfo': HOST_MOUNTINFO,
      },
      { networkInterfaces: () => ({ ...LOOPBACK, eth0: [nic('192.168.1.10', 24), nic('fe80::1', 64)] }) },
    );
    expect(value.hostname).toBe('box');
    expect(value.defaultRoute).toEqual({ interface: 'eth0', gateway: '192.168.1.1', family: 4, metric: 100 });
    expect(value.interfaces.find((i) => i.name === 'eth0')?.addresses).toEqual([
      { address: '192.168.1.10', family: 4, cidr: '192.168.1.10/24', class: 'private', internal: false },
      { address: 'fe80::1', family: 6, cidr: 'fe80::1/64', class: 'link-local', internal: false },
    ]);
    expect(value.container).toEqual({ inContainer: false, evidence: [] });
    expect(value.bridges).toEqual([]);
    expect(value.vpn).toEqual({ active: false, evidence: [] });
    expect(value.notes).toEqual([]);
  });

  it('docker container: /.dockerenv, cgroup v1 docker path, overlay root, eth0 172.17.0.2 via 172.17.0.1', async () => {
    const id = 'a3f9c2d81e7b4c6d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6';
    const value = await hostValue(
      {
        '.dockerenv': '',
        'proc/net/route': procRoute([['eth0', '00000000', '010011AC', '0003', 0, '00000000']]),
        'proc/1/cgroup': `12:devices:/docker/${id}\n11:memory:/docker/${id}\n`,
        'proc/self/mountinfo': `700 600 0:50 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X\n712 700 8:1 /var/lib/docker/containers/${id}/hostname /etc/hostname rw - ext4 /dev/sda1 rw\n`,
      },
      { networkInterfaces: () => ({ ...LOOPBACK, eth0: [nic('172.17.0.2', 16)] }) },
    );
    expect(value.container.inContainer).toBe(true);
    expect(value.container.runtime).toBe('docker');
    expect(value.container.evidence).toEqual([
      '/.dockerenv exists',
      expect.stringMatching(/^\/proc\/1\/cgroup: 12:devices:\/docker\/a3f9/),
      expect.stringMatching(/^\/proc\/self\/mountinfo: 712 700 8:1 \/var\/lib\/docker\/containers\//),
      'the root filesystem is an overlay mount (container image layers)',
    ]);
    expect(value.defaultRoute).toMatchObject({ interface: 'eth0', gateway: '172.17.0.1' });
    // Inside the container eth0 is the container's own interface, not a bridge.
    expect(value.bridges).toEqual([]);
  });

  it('docker on cgroup v2 is recognised from the mount sources', async () => {
    const id = 'b'.repeat(64);
    const value = await hostValue({
      'proc/self/cgroup': '0::/\n',
      'proc/self/mountinfo': `712 700 8:1 /var/lib/docker/containers/${id}/resolv.conf /etc/resolv.conf rw - ext4 /dev/sda1 rw\n`,
    });
    expect(value.container).toMatchObject({ inContainer: true, runtime: 'docker' });
  });

  it('host with docker0 and a compose br-xxxx bridge, and veth peers', async () => {
    const value = await hostValue(
      { 'proc/net/route': DEFAULT_VIA_ETH0 },
      {
        networkInterfaces: () => ({
          ...LOOPBACK,
          eth0: [nic('192.168.1.10', 24)],
          docker0: [nic('172.17.0.1', 16), nic('fe80::42:acff:fe11:1', 64)],
          'br-3c5e8d9f1a2b': [nic('172.18.0.1', 16)],
          veth1a2b3c4: [nic('fe80::9c3a:1ff:fe2b:3c4d', 64)],
          vethaabbcc: [nic('172.19.0.5', 16)],
        }),
      },
    );
    expect(value.bridges).toEqual([
      { interface: 'br-3c5e8d9f1a2b', address: '172.18.0.1', network: 'docker' },
      { interface: 'docker0', address: '172.17.0.1', network: 'docker' },
      { interface: 'vethaabbcc', address: '172.19.0.5', network: 'docker' },
    ]);
    expect(value.container.inContainer).toBe(false);
  });

  it('wireguard default route: VPN active on wg0', async () => {
    const value = await hostValue(
      {
        'proc/net/route': procRoute([
          ['wg0', '00000000', '00000000', '0001', 0, '00000000'],
          ['eth0', '00000000', '0101A8C0', '0003', 100, '00000000'],
        ]),
      },
      { networkInterfaces: () => ({ ...LOOPBACK, eth0: [nic('192.168.1.10', 24)], wg0: [nic('10.66.66.2', 32)] }) },
    );
    expect(value.defaultRoute).toEqual({ interface: 'wg0', family: 4, metric: 0 });
    expect(value.vpn).toEqual({ active: true, interface: 'wg0', evidence: ['the IPv4 default route goes via wg0'] });
  });

  it('OpenVPN def1 split routes count as a VPN even with the default via eth0', async () => {
    const value = await hostValue(
      {
        'proc/net/route': procRoute([
          ['tun0', '00000000', '0100080A', '0003', 0, '00000080'],
          ['tun0', '00000080', '0100080A', '0003', 0, '00000080'],
          ['eth0', '00000000', '0101A8C0', '0003', 100, '00000000'],
        ]),
      },
      { networkInterfaces: () => ({ ...LOOPBACK, eth0: [nic('192.168.1.10', 24)], tun0: [nic('10.8.0.2', 24)] }) },
    );
    expect(value.defaultRoute?.interface).toBe('eth0');
    expect(value.vpn.active).toBe(true);
    expect(value.vpn.interface).toBe('tun0');
    expect(value.vpn.evidence[0]).toMatch(/0\.0\.0\.0\/1 and 128\.0\.0\.0\/1 via tun0/);
  });

  it('a VPN interface that is not the default route is evidence, not an active VPN', async () => {
    const value = await hostValue(
      { 'proc/net/route': DEFAULT_VIA_ETH0 },
      {
        networkInterfaces: () => ({
          ...LOOPBACK,
          eth0: [nic('192.168.1.10', 24)],
          tailscale0: [nic('100.101.102.103', 32)],
        }),
      },
    );
    expect(value.vpn.active).toBe(false);
    expect(value.vpn.evidence[0]).toMatch(/tailscale0 \(100\.101\.102\.103\) exists but is not the default route/);
    expect(value.interfaces.find((i) => i.name === 'tailscale0')?.addresses[0]?.class).toBe('cgnat');
  });

  it('podman: /run/.containerenv with its engine, libpod cgroup, 10.88.0.0/16', async () => {
    const value = await hostValue(
      {
        'run/.containerenv': 'engine="podman-4.9.3"\nname="plex"\nrootless=1\n',
        'proc/self/cgroup':
          '0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-4f1e2d3c4b5a.scope/container\n',
        'proc/net/route': procRoute([['eth0', '00000000', '0100580A', '0003', 0, '00000000']]),
      },
      { networkInterfaces: () => ({ ...LOOPBACK, eth0: [nic('10.88.0.5', 16)] }), env: { container: 'podman' } },
    );
    expect(value.container.runtime).toBe('podman');
    expect(value.container.evidence).toEqual([
      '/run/.containerenv exists (engine podman-4.9.3)',
      expect.stringMatching(/^\/proc\/self\/cgroup: 0::\/user\.slice.*libpod-/),
      'environment variable container=podman',
    ]);
    expect(value.defaultRoute?.gateway).toBe('10.88.0.1');
  });

  it('kubernetes: kubepods cgroup wins over the docker marker of a dockershim node', async () => {
    const value = await hostValue(
      {
        '.dockerenv': '',
        'proc/1/cgroup': '11:memory:/kubepods/burstable/pod5f3c1a2b-1111-2222-3333-444455556666/0123456789abcdef0123\n',
      },
      {
        networkInterfaces: () => ({ ...LOOPBACK, eth0: [nic('10.244.1.17', 24)] }),
        env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
      },
    );
    expect(value.container.runtime).toBe('kubernetes');
    expect(value.container.evidence).toContain('environment variable KUBERNETES_SERVICE_HOST is set');
  });

  it('kubernetes on the host: cni0 is a kubernetes bridge', async () => {
    const value = await hostValue(
      {},
      { networkInterfaces: () => ({ ...LOOPBACK, cni0: [nic('10.244.0.1', 24)], podman0: [nic('10.88.0.1', 16)] }) },
    );
    expect(value.bridges).toEqual([
      { interface: 'cni0', address: '10.244.0.1', network: 'kubernetes' },
      { interface: 'podman0', address: '10.88.0.1', network: 'podman' },
    ]);
  });

  it('another OS: no gateway, and a note that says why', async () => {
    const value = await hostValue(
      {},
      { platform: 'darwin', networkInterfaces: () => ({ ...LOOPBACK, en0: [nic('192.168.1.20', 24)] }) },
    );
    expect(value.platform).toBe('darwin');
    expect(value.defaultRoute).toBeUndefined();
    expect(value.notes.join(' ')).toMatch(/only Linux/);
  });

  it('a throwing interface source becomes a note, not an exception', async () => {
    const value = await hostValue(
      {},
      {
        networkInterfaces: () => {
          throw new Error('uv_interface_addresses failed');
        },
        hostname: () => {
          throw new Error('nope');
        },
      },
    );
    expect(value.interfaces).toEqual([]);
    expect(value.hostname).toBeUndefined();
    expect(value.notes.join(' ')).toMatch(/interfaces could not be listed.*uv_interface_addresses/);
  });
});

describe('probeHost on this machine', () => {
  it('returns a valid value without options', async () => {
    const result = await probeHost();
    expect(result.status).toBe('ok');
    if (result.status === 'ok') {
      expect(HostInfo.parse(result.value)).toEqual(result.value);
      expect(result.value.interfaces.some((i) => i.addresses.some((a) => a.class === 'loopback'))).toBe(true);
    }
  });
});
