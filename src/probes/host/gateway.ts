/**
 * Routes from Linux's /proc: `/proc/net/route` (IPv4, main table, addresses as little-endian hex, flags and metric)
 * and `/proc/net/ipv6_route` (big-endian hex). Other OSes have no such file: the gateway is then unknown, and the
 * probe says so rather than guessing. Policy-routing tables (wg-quick, Tailscale) are not in these files.
 */
import ipaddr from 'ipaddr.js';
import type { DefaultRoute, RouteEntry } from './schema.js';
import { readHostFile, resolveSources, type HostSources } from './sources.js';

// linux/route.h
const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

const HEX8 = /^[0-9a-f]{8}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;

/** "0101A8C0" → "192.168.1.1" (the kernel prints the in-memory, little-endian u32). */
export function ipv4FromProcHex(hex: string): string | undefined {
  if (!HEX8.test(hex)) return undefined;
  const bytes = [6, 4, 2, 0].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return bytes.join('.');
}

/** "fe800000000000000000000000000001" → "fe80::1". */
export function ipv6FromProcHex(hex: string): string | undefined {
  if (!HEX32.test(hex)) return undefined;
  const groups = hex.match(/.{4}/g)!.join(':');
  return ipaddr.IPv6.parse(groups).toString();
}

type Fields<N extends number, Acc extends string[] = []> = Acc['length'] extends N ? Acc : Fields<N, [...Acc, string]>;

/** The first `count` whitespace-separated fields of a /proc line, or undefined when it has fewer (a malformed line). */
function leadingFields<N extends number>(line: string, count: N): Fields<N> | undefined {
  const fields = line.trim().split(/\s+/);
  return fields.length >= count ? (fields.slice(0, count) as Fields<N>) : undefined;
}

interface RawRoute extends RouteEntry {
  flags: number;
}

/** Parses /proc/net/route. Malformed lines are skipped; never throws. */
export function parseProcNetRoute(text: string): RawRoute[] {
  const routes: RawRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = leadingFields(line, 8);
    if (!fields) continue;
    const [name, destinationHex, gatewayHex, flagsHex, , , metricText, maskHex] = fields;
    const destination = ipv4FromProcHex(destinationHex);
    const gateway = ipv4FromProcHex(gatewayHex);
    const mask = ipv4FromProcHex(maskHex);
    const flags = parseInt(flagsHex, 16);
    const metric = Number(metricText);
    if (!destination || !gateway || !mask || Number.isNaN(flags) || !Number.isInteger(metric)) continue;
    const prefix = ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask();
    if (prefix === null) continue;
    routes.push({
      interface: name,
      destination: `${destination}/${prefix}`,
      ...(gateway !== '0.0.0.0' ? { gateway } : {}),
      family: 4,
      metric,
      flags,
    });
  }
  return routes;
}

/** Parses /proc/net/ipv6_route (no header line). Malformed lines are skipped; never throws. */
export function parseProcIpv6Route(text: string): RawRoute[] {
  const routes: RawRoute[] = [];
  for (const line of text.split('\n')) {
    const fields = leadingFields(line, 10);
    if (!fields) continue;
    const [destinationHex, prefixHex, , , nextHopHex, metricHex, , , flagsHex, name] = fields;
    const destination = ipv6FromProcHex(destinationHex);
    const nextHop = ipv6FromProcHex(nextHopHex);
    const prefix = parseInt(prefixHex, 16);
    const metric = parseInt(metricHex, 16);
    const flags = parseInt(flagsHex, 16);
    if (!destination || !nextHop || !(prefix >= 0 && prefix <= 128) || Number.isNaN(metric) || Number.isNaN(flags))
      continue;
    routes.push({
      interface: name,
      destination: `${destination}/${prefix}`,
      ...(nextHop !== '::' ? { gateway: nextHop } : {}),
      family: 6,
      metric,
      flags,
    });
  }
  return routes;
}

const usable = (route: RawRoute): boolean =>
  (route.flags & RTF_UP) !== 0 && (route.flags & RTF_REJECT) === 0 && route.interface !== 'lo';

export interface RouteReading {
  /** Usable routes (up, not reject, not via lo), IPv4 then IPv6. */
  routes: RouteEntry[];
  /** Default routes, IPv4 first, each family lowest metric first. */
  defaultRoutes: DefaultRoute[];
  notes: string[];
}

function strip({ flags: _flags, ...route }: RawRoute): RouteEntry {
  return route;
}

/** Reads the route tables (Linux only). */
export async function readRoutes(sources: HostSources = {}): Promise<RouteReading> {
  const { fsRoot, platform } = resolveSources(sources);
  if (platform !== 'linux') {
    return {
      routes: [],
      defaultRoutes: [],
      notes: [`default gateway not read: only Linux (/proc/net/route) is supported, this is ${platform}`],
    };
  }
  const notes: string[] = [];
  const v4Text = await readHostFile(fsRoot, 'proc/net/route');
  const v6Text = await readHostFile(fsRoot, 'proc/net/ipv6_route');
  if (v4Text === undefined) notes.push('/proc/net/route could not be read: IPv4 default gateway unknown');
  const v4 = parseProcNetRoute(v4Text ?? '').filter(usable);
  const v6 = parseProcIpv6Route(v6Text ?? '').filter(usable);
  const byMetric = (a: RouteEntry, b: RouteEntry): number => a.metric - b.metric;
  const defaults = (routes: RawRoute[], any: string): DefaultRoute[] =>
    routes
      .filter((route) => route.destination === any)
      .sort(byMetric)
      .map((route) => ({
        interface: route.interface,
        ...(route.gateway ? { gateway: route.gateway } : {}),
        family: route.family,
        metric: route.metric,
      }));
  return {
    routes: [...v4, ...v6].map(strip),
    defaultRoutes: [...defaults(v4, '0.0.0.0/0'), ...defaults(v6, '::/0')],
    notes,
  };
}

/** The IPv4 default gateway (lowest metric), for NAT-PMP. Undefined when unknown. */
export async function defaultIpv4Gateway(sources: HostSources = {}): Promise<string | undefined> {
  const { defaultRoutes } = await readRoutes(sources);
  return defaultRoutes.find((route) => route.family === 4 && route.gateway)?.gateway;
}
