/**
 * Entries of Plex's network-list prefs (`allowedNetworks`, `LanNetworksBandwidth`; docs/reference/plex-api.md §4): a
 * bare IP, a CIDR network (`192.168.1.0/24`), or the `ip/netmask` form Plex also accepts (`192.168.1.0/255.255.255.0`).
 * Parsed with ipaddr.js: no hand-written masks.
 */
import ipaddr from 'ipaddr.js';
import { classifyAddress, isInCidr } from './address.js';

export interface NetworkEntry {
  /** The entry as written. */
  text: string;
  family: 4 | 6;
  prefix: number;
  /** The network in canonical CIDR form ("192.168.1.0/24"), host bits cleared. */
  cidr: string;
  /** First and last address of the range. */
  first: string;
  last: string;
}

function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return undefined;
}

function prefixOf(address: ipaddr.IPv4 | ipaddr.IPv6, mask: string | undefined): number | undefined {
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (mask === undefined) return max;
  if (/^\d{1,3}$/.test(mask)) {
    const bits = Number(mask);
    return bits <= max ? bits : undefined;
  }
  // Plex's ip/netmask form; a mask whose ones are not contiguous is not a network.
  if (address.kind() === 'ipv4' && ipaddr.IPv4.isValidFourPartDecimal(mask))
    return ipaddr.IPv4.parse(mask).prefixLengthFromSubnetMask() ?? undefined;
  return undefined;
}

/** Parses one entry; undefined when it is neither an IP, a CIDR, nor ip/netmask. */
export function parseNetworkEntry(text: string): NetworkEntry | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = parseAddress(slash < 0 ? trimmed : trimmed.slice(0, slash));
  if (!address) return undefined;
  const prefix = prefixOf(address, slash < 0 ? undefined : trimmed.slice(slash + 1));
  if (prefix === undefined) return undefined;
  const spec = `${address.toString()}/${prefix}`;
  const [first, last] =
    address.kind() === 'ipv4'
      ? [ipaddr.IPv4.networkAddressFromCIDR(spec), ipaddr.IPv4.broadcastAddressFromCIDR(spec)]
      : [ipaddr.IPv6.networkAddressFromCIDR(spec), ipaddr.IPv6.broadcastAddressFromCIDR(spec)];
  return {
    text: trimmed,
    family: address.kind() === 'ipv4' ? 4 : 6,
    prefix,
    cidr: `${first.toString()}/${prefix}`,
    first: first.toString(),
    last: last.toString(),
  };
}

/** Whether the entry's range holds the address. */
export function entryContains(entry: NetworkEntry, address: string): boolean {
  return isInCidr(address, entry.cidr);
}

/** True for 0.0.0.0/0 and ::/0 (and any netmask of zero): every address there is. */
export function coversEverything(entry: NetworkEntry): boolean {
  return entry.prefix === 0;
}

/**
 * Whether the range reaches into public address space. A CIDR range that starts and ends in the same non-public class
 * (private, CGNAT, loopback, link-local) lies inside one block of it: any CIDR holding two of the private blocks
 * (10/8, 172.16/12, 192.168/16) starts at 0.0.0.0 or 128.0.0.0, which are not private. Anything else spans public
 * addresses.
 */
export function coversPublicAddresses(entry: NetworkEntry): boolean {
  const first = classifyAddress(entry.first);
  const last = classifyAddress(entry.last);
  return first === 'public' || last === 'public' || first !== last;
}

/** The CIDR network of an interface address ("192.168.1.20/24" → "192.168.1.0/24"). */
export function networkOfCidr(cidr: string): string | undefined {
  return parseNetworkEntry(cidr)?.cidr;
}
