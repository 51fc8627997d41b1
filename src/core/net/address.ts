/**
 * Address classification via ipaddr.js (its ranges follow the IANA special-purpose registries), so "is this the
 * CGNAT range?" is never a hand-written mask.
 */
import ipaddr from 'ipaddr.js';

export type AddressClass =
  'public' | 'private' | 'cgnat' | 'loopback' | 'link-local' | 'multicast' | 'unspecified' | 'reserved' | 'invalid';

export function isIpAddress(text: string): boolean {
  return ipaddr.isValid(stripBrackets(text));
}

export function ipFamily(text: string): 4 | 6 | undefined {
  const value = stripBrackets(text);
  if (!ipaddr.isValid(value)) return undefined;
  return ipaddr.parse(value).kind() === 'ipv4' ? 4 : 6;
}

function stripBrackets(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}

export function classifyAddress(text: string): AddressClass {
  const value = stripBrackets(text.trim());
  if (!ipaddr.isValid(value)) return 'invalid';
  let address = ipaddr.parse(value);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    address = (address as ipaddr.IPv6).toIPv4Address();
  }
  const range = address.range();
  switch (range) {
    case 'unicast':
      return 'public';
    case 'private':
    case 'uniqueLocal':
      return 'private';
    case 'carrierGradeNat':
      return 'cgnat';
    case 'loopback':
      return 'loopback';
    case 'linkLocal':
      return 'link-local';
    case 'multicast':
    case 'broadcast':
      return 'multicast';
    case 'unspecified':
      return 'unspecified';
    default:
      return 'reserved';
  }
}

/** Public-internet routable: what plex.tv must see as your address for a port forward to mean anything. */
export function isPublicAddress(text: string): boolean {
  return classifyAddress(text) === 'public';
}

/**
 * IPv6 global unicast (2000::/3) that the internet can route to this host: not documentation space (2001:db8::/32),
 * not 6to4 or Teredo (translation prefixes nobody serves from), not an IPv4-mapped address. ULA (fc00::/7) and
 * link-local (fe80::/10) never are.
 */
export function isGlobalUnicastIpv6(text: string): boolean {
  const value = stripBrackets(text.trim());
  if (!ipaddr.IPv6.isValid(value)) return false;
  const address = ipaddr.IPv6.parse(value);
  if (address.isIPv4MappedAddress() || address.range() !== 'unicast') return false;
  return address.match(ipaddr.IPv6.parse('2000::'), 3);
}

// Parsed CIDRs by text. The rules test many addresses against the same few ranges (a host's interfaces, the default
// cluster ranges), and ipaddr's parseCIDR of an IPv4 range first fails as IPv6 (a throw): parsing once per range was
// ~4 ms of a 24-connection diagnosis (issue 17). Bounded: cleared when full.
const parsedCidrs = new Map<string, [ipaddr.IPv4 | ipaddr.IPv6, number] | null>();

function parsedCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  let parsed = parsedCidrs.get(cidr);
  if (parsed === undefined) {
    try {
      parsed = ipaddr.parseCIDR(cidr);
    } catch {
      parsed = null;
    }
    if (parsedCidrs.size >= 256) parsedCidrs.clear();
    parsedCidrs.set(cidr, parsed);
  }
  return parsed;
}

export function isInCidr(address: string, cidr: string): boolean {
  const parsed = parsedCidr(cidr);
  if (!parsed) return false;
  try {
    const ip = ipaddr.parse(stripBrackets(address));
    const [range, bits] = parsed;
    if (ip.kind() !== range.kind()) return false;
    return ip.match(range, bits);
  } catch {
    return false;
  }
}

export function parseCidr(text: string): { address: string; prefix: number } | undefined {
  try {
    const [range, prefix] = ipaddr.parseCIDR(text.trim());
    return { address: range.toString(), prefix };
  } catch {
    return undefined;
  }
}

export type ContainerNetwork = 'docker' | 'home-assistant' | 'kubernetes' | 'podman';

/**
 * Address ranges container runtimes hand out by default. A Plex server advertising one of these as its local
 * connection is advertising an address nobody else on the LAN can reach (docs/reference/plex-api.md §8, the plex-api.rs
 * Docker mock with local 172.18.0.3).
 */
const CONTAINER_RANGES: { cidr: string; network: ContainerNetwork }[] = [
  { cidr: '172.30.32.0/23', network: 'home-assistant' },
  { cidr: '172.30.33.0/24', network: 'home-assistant' },
  { cidr: '10.88.0.0/16', network: 'podman' },
  { cidr: '10.42.0.0/16', network: 'kubernetes' },
  { cidr: '10.43.0.0/16', network: 'kubernetes' },
  { cidr: '10.244.0.0/16', network: 'kubernetes' },
  { cidr: '172.17.0.0/16', network: 'docker' },
  { cidr: '172.16.0.0/12', network: 'docker' },
];

// Parsed once: rules ask this for every connection, and parsing eight CIDRs per call was most of a diagnosis's CPU.
const PARSED_CONTAINER_RANGES = CONTAINER_RANGES.map(({ cidr, network }) => ({
  range: ipaddr.parseCIDR(cidr),
  network,
}));

/** Which container network an address most likely belongs to, if it sits in a runtime's default range. */
export function containerNetworkOf(address: string): ContainerNetwork | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(stripBrackets(address));
  } catch {
    return undefined;
  }
  return PARSED_CONTAINER_RANGES.find(
    ({ range: [network, bits] }) => ip.kind() === network.kind() && ip.match(network, bits),
  )?.network;
}
