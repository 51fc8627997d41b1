/**
 * Facts about the machine plex-diagnose runs on (interfaces, default route, container, VPN), which a loopback test
 * cannot create, and where the fake server listens: port 32400 on a loopback address of its own when the OS allows
 * it (Linux routes all of 127/8 to lo), so the ports in a report are the ones a user would see.
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { containerNetworkOf } from '../../core/net/address.js';
import { HostInfo } from '../../probes/host/index.js';
import { HOME, hostValue } from '../observations.js';
import type { Scenario } from './define.js';
import { DEFAULT_PUBLIC_PORT, LAN_LAPTOP, type NetworkModel } from './network-model.js';

export interface Endpoint {
  host: string;
  port: number;
}

function listenable(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', () => resolve(undefined));
    probe.listen(port, host, () => {
      const address = probe.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      probe.close(() => resolve(bound));
    });
  });
}

/**
 * A free endpoint for the fake server, chosen before it starts (its publish cycle at start needs to know where it is).
 * Prefers 32400 on a random 127.64-127.127 address; else an ephemeral port on 127.0.0.1 (macOS has only 127.0.0.1).
 */
export async function pickServerEndpoint(): Promise<Endpoint> {
  const spread = `127.${64 + randomInt(64)}.${randomInt(256)}.${1 + randomInt(254)}`;
  if ((await listenable(spread, DEFAULT_PUBLIC_PORT)) !== undefined) return { host: spread, port: DEFAULT_PUBLIC_PORT };
  const port = await listenable('127.0.0.1', 0);
  if (port === undefined) throw new Error('no loopback port is free for the fake Plex Media Server');
  return { host: '127.0.0.1', port };
}

const DOCKER_BRIDGE = { name: 'docker0', address: '172.18.0.1', cidr: '172.18.0.1/16' };

/** This machine: the server's host (optionally with a VPN or a container bridge), or a laptop on the same LAN. */
export function hostFacts(scenario: Scenario, model: NetworkModel): HostInfo {
  const network = scenario.network ?? {};
  if (network.vantage === 'lan') return HostInfo.parse({ ...hostValue({ address: LAN_LAPTOP }), hostname: 'laptop' });
  if (network.vpn) return hostValue({ vpnInterface: network.vpn.interface });
  const host = hostValue({ address: HOME.server });
  if (!network.container) return host;
  // The container's host: its bridge holds the gateway of the container's network.
  return HostInfo.parse({
    ...host,
    interfaces: [
      ...host.interfaces,
      {
        name: DOCKER_BRIDGE.name,
        addresses: [
          { address: DOCKER_BRIDGE.address, family: 4, cidr: DOCKER_BRIDGE.cidr, class: 'private', internal: false },
        ],
      },
    ],
    bridges: [
      {
        interface: DOCKER_BRIDGE.name,
        address: DOCKER_BRIDGE.address,
        network: containerNetworkOf(model.privateAddress) ?? 'docker',
      },
    ],
  });
}
