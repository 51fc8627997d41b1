/**
 * Is the server's traffic leaving through a VPN? Then plex.tv sees the VPN's exit address, and a port forward on the
 * home router never receives anything. We read it from the routes: a default route, or OpenVPN's
 * `redirect-gateway def1` pair (0.0.0.0/1 + 128.0.0.0/1, more specific than the default), through a VPN-named interface.
 */
import type { DefaultRoute, HostInterface, RouteEntry, VpnInfo } from './schema.js';

const VPN_PREFIXES = ['tun', 'tap', 'wg', 'ppp', 'utun', 'tailscale', 'zt', 'nordlynx', 'ipsec', 'wireguard'];

export function isVpnInterfaceName(name: string): boolean {
  const lower = name.toLowerCase();
  return VPN_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** IPv4 and IPv6 halves that together override a default route. */
const SPLIT_DEFAULTS: [string, string][] = [
  ['0.0.0.0/1', '128.0.0.0/1'],
  ['::/1', '8000::/1'],
];

export function detectVpn(interfaces: HostInterface[], routes: RouteEntry[], defaultRoutes: DefaultRoute[]): VpnInfo {
  const evidence: string[] = [];
  let active: string | undefined;

  for (const [low, high] of SPLIT_DEFAULTS) {
    const lowRoute = routes.find((route) => route.destination === low && isVpnInterfaceName(route.interface));
    const highRoute =
      lowRoute && routes.find((route) => route.destination === high && route.interface === lowRoute.interface);
    if (lowRoute && highRoute) {
      active ??= lowRoute.interface;
      evidence.push(
        `${low} and ${high} via ${lowRoute.interface} take precedence over the default route (OpenVPN redirect-gateway def1 style)`,
      );
    }
  }
  // The first default route of each family is the one in use.
  for (const family of [4, 6] as const) {
    const route = defaultRoutes.find((candidate) => candidate.family === family);
    if (route && isVpnInterfaceName(route.interface)) {
      active ??= route.interface;
      evidence.push(
        `the IPv${family} default route goes via ${route.interface}${route.gateway ? ` (gateway ${route.gateway})` : ''}`,
      );
    }
  }
  for (const { name, addresses } of interfaces) {
    if (!isVpnInterfaceName(name) || name === active) continue;
    const shown = addresses
      .map((a) => a.address)
      .slice(0, 2)
      .join(', ');
    evidence.push(
      `interface ${name}${shown ? ` (${shown})` : ''} exists but is not the default route; wg-quick and Tailscale exit nodes route through a policy table that /proc/net/route does not show`,
    );
  }
  return { active: active !== undefined, ...(active ? { interface: active } : {}), evidence };
}
