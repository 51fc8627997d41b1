/** Value shapes of the host probe: plain JSON, validated on load from a snapshot. */
import { z } from 'zod';
import { AddressClassSchema } from '../address-class.js';

export const HostAddress = z.object({
  address: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  /** e.g. "192.168.1.10/24"; absent when the OS gave no netmask. */
  cidr: z.string().optional(),
  class: AddressClassSchema,
  internal: z.boolean(),
});
export type HostAddress = z.infer<typeof HostAddress>;

export const HostInterface = z.object({
  name: z.string(),
  addresses: z.array(HostAddress),
});
export type HostInterface = z.infer<typeof HostInterface>;

export const RouteEntry = z.object({
  interface: z.string(),
  /** Network in CIDR form ("0.0.0.0/0", "::/0", "0.0.0.0/1"). */
  destination: z.string(),
  /** Next hop; absent for on-link routes (a point-to-point VPN default route has none). */
  gateway: z.string().optional(),
  family: z.union([z.literal(4), z.literal(6)]),
  metric: z.number().int(),
});
export type RouteEntry = z.infer<typeof RouteEntry>;

export const DefaultRoute = z.object({
  interface: z.string(),
  gateway: z.string().optional(),
  family: z.union([z.literal(4), z.literal(6)]),
  metric: z.number().int(),
});
export type DefaultRoute = z.infer<typeof DefaultRoute>;

export const ContainerRuntime = z.enum([
  'docker',
  'podman',
  'kubernetes',
  'lxc',
  'containerd',
  'systemd-nspawn',
  'other',
]);
export type ContainerRuntime = z.infer<typeof ContainerRuntime>;

export const ContainerInfo = z.object({
  inContainer: z.boolean(),
  runtime: ContainerRuntime.optional(),
  /** What was seen, one fact per line ("/.dockerenv exists", "/proc/1/cgroup: 0::/kubepods/..."). */
  evidence: z.array(z.string()),
});
export type ContainerInfo = z.infer<typeof ContainerInfo>;

export const ContainerNetworkSchema = z.enum(['docker', 'home-assistant', 'kubernetes', 'podman']);

export const BridgeAddress = z.object({
  interface: z.string(),
  address: z.string(),
  /** The runtime whose default range holds the address (src/core/net/address.ts containerNetworkOf). */
  network: ContainerNetworkSchema.optional(),
});
export type BridgeAddress = z.infer<typeof BridgeAddress>;

export const VpnInfo = z.object({
  /** True when the default route (or an OpenVPN-style 0/1 + 128/1 pair) goes through a VPN-named interface. */
  active: z.boolean(),
  interface: z.string().optional(),
  evidence: z.array(z.string()),
});
export type VpnInfo = z.infer<typeof VpnInfo>;

export const HostInfo = z.object({
  platform: z.string(),
  hostname: z.string().optional(),
  interfaces: z.array(HostInterface),
  /** The route traffic to the internet takes: the lowest-metric IPv4 default, else the IPv6 one. */
  defaultRoute: DefaultRoute.optional(),
  /** Every default route, IPv4 then IPv6, lowest metric first. */
  defaultRoutes: z.array(DefaultRoute),
  container: ContainerInfo,
  /** Container bridges on this host (docker0, br-*, cni0, podman*, ...) and veth peers with container-range addresses. */
  bridges: z.array(BridgeAddress),
  vpn: VpnInfo,
  /** What could not be read, and why. */
  notes: z.array(z.string()),
});
export type HostInfo = z.infer<typeof HostInfo>;
