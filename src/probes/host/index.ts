/**
 * The host itself: interfaces and their address classes, default routes, container, container bridges and VPN.
 * Reads only local state (os + /proc); every source is injectable for tests.
 */
import { runProbe, type ProbeOptions, type ProbeResult } from '../types.js';
import { detectContainer } from './container.js';
import { readRoutes } from './gateway.js';
import { findBridges, listInterfaces } from './interfaces.js';
import type { HostInfo } from './schema.js';
import { resolveSources, type HostSources } from './sources.js';
import { detectVpn } from './vpn.js';

export interface ProbeHostOptions extends ProbeOptions, HostSources {
  /** @default 2000 */
  timeoutMs?: number;
}

export const DEFAULT_HOST_TIMEOUT_MS = 2000;

export function probeHost(options: ProbeHostOptions = {}): Promise<ProbeResult<HostInfo>> {
  return runProbe({ ...options, defaultTimeoutMs: DEFAULT_HOST_TIMEOUT_MS }, async () => {
    const sources = resolveSources(options);
    const notes: string[] = [];
    let interfaces: HostInfo['interfaces'] = [];
    try {
      interfaces = listInterfaces(sources.networkInterfaces());
    } catch (error) {
      notes.push(`network interfaces could not be listed: ${error instanceof Error ? error.message : String(error)}`);
    }
    let hostname: string | undefined;
    try {
      hostname = sources.hostname() || undefined;
    } catch {
      notes.push('hostname could not be read');
    }
    const [routing, container] = await Promise.all([readRoutes(sources), detectContainer(sources)]);
    notes.push(...routing.notes);
    const defaultRoute = routing.defaultRoutes[0];
    return {
      platform: sources.platform,
      ...(hostname ? { hostname } : {}),
      interfaces,
      ...(defaultRoute ? { defaultRoute } : {}),
      defaultRoutes: routing.defaultRoutes,
      container,
      bridges: findBridges(interfaces),
      vpn: detectVpn(interfaces, routing.routes, routing.defaultRoutes),
      notes,
    };
  });
}

export {
  readRoutes,
  defaultIpv4Gateway,
  parseProcNetRoute,
  parseProcIpv6Route,
  ipv4FromProcHex,
  ipv6FromProcHex,
} from './gateway.js';
export type { RouteReading } from './gateway.js';
export { detectContainer } from './container.js';
export { detectVpn, isVpnInterfaceName } from './vpn.js';
export { listInterfaces, findBridges } from './interfaces.js';
export type { HostSources } from './sources.js';
export {
  HostInfo,
  HostInterface,
  HostAddress,
  DefaultRoute,
  RouteEntry,
  ContainerInfo,
  ContainerRuntime,
  BridgeAddress,
  VpnInfo,
} from './schema.js';
