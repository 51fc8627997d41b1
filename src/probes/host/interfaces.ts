/** The host's interfaces and addresses, classified (public / private / CGNAT / ...), from os.networkInterfaces(). */
import type { NetworkInterfaceInfo } from 'node:os';
import { classifyAddress, containerNetworkOf } from '../../core/net/address.js';
import type { BridgeAddress, HostAddress, HostInterface } from './schema.js';

export function listInterfaces(raw: NodeJS.Dict<NetworkInterfaceInfo[]>): HostInterface[] {
  const out: HostInterface[] = [];
  for (const [name, infos] of Object.entries(raw)) {
    if (!infos) continue;
    const addresses: HostAddress[] = infos.map((info) => {
      // Node 18.0-18.3 reported family as a number; everything since as 'IPv4' / 'IPv6'.
      const family: 4 | 6 = String(info.family) === 'IPv6' || String(info.family) === '6' ? 6 : 4;
      const address = family === 6 ? info.address.replace(/%.*$/, '') : info.address;
      return {
        address,
        family,
        ...(info.cidr ? { cidr: info.cidr } : {}),
        class: classifyAddress(address),
        internal: info.internal,
      };
    });
    out.push({ name, addresses });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Names container runtimes give their host-side bridges (docker0, br-<id>, cni0, podman0, Home Assistant's hassio, ...). */
const BRIDGE_NAME =
  /^(docker\d+|br-[0-9a-f]{6,}|cni\d*|podman\d*|cni-podman\d*|virbr\d+|lxcbr\d+|lxdbr\d+|flannel\.\d+|cilium_host|kube-bridge|weave|hassio)$/;
const VETH_NAME = /^veth/;

/**
 * Container bridges on this host. A veth is listed only when it carries a container-range address: host-side veth
 * peers usually have none, and listing every one would bury the bridges.
 */
export function findBridges(interfaces: HostInterface[]): BridgeAddress[] {
  const bridges: BridgeAddress[] = [];
  for (const { name, addresses } of interfaces) {
    const isBridge = BRIDGE_NAME.test(name);
    if (!isBridge && !VETH_NAME.test(name)) continue;
    for (const { address, class: addressClass } of addresses) {
      if (addressClass === 'link-local') continue;
      const network = containerNetworkOf(address);
      if (!isBridge && !network) continue;
      bridges.push({ interface: name, address, ...(network ? { network } : {}) });
    }
  }
  return bridges;
}
