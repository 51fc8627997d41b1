/**
 * Whether a source-address match catches "a connection from the internet": a remote viewer's address, any public one.
 * LAN, loopback and link-local ranges never hold it; a set covering everything always does. Specific public addresses
 * and networks (an office allow-list, a fail2ban or CrowdSec block-list) hold some sources, not a viewer's in general:
 * they count as not matching, so an allow-list followed by a drop reads as "blocked for viewers" and a block-list as
 * "not this one". Only ranges too wide for that reading (shorter than /8, /16 for IPv6) stay unknown.
 */
import ipaddr from 'ipaddr.js';
import type { Tri } from './engine.js';

/** Ranges no internet source has (RFC 1918, loopback, link-local, CGNAT, ULA, multicast, reserved). */
const NOT_INTERNET: Record<4 | 6, Array<[string, number]>> = {
  4: [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 3],
  ],
  6: [
    ['::', 127],
    ['fe80::', 10],
    ['fc00::', 7],
    ['ff00::', 8],
  ],
};

/** Public networks at least this narrow are "some sources", not the internet at large. */
const WIDEST_SPECIFIC: Record<4 | 6, number> = { 4: 8, 6: 16 };

/** One element of an address match: a single address, a prefix, or a from-to range, as text. */
export type AddressElement =
  { kind: 'prefix'; address: string; length?: number } | { kind: 'range'; from: string; to: string };

function parse(text: string, family: 4 | 6): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  try {
    const address = ipaddr.parse(text);
    return (family === 4) === (address.kind() === 'ipv4') ? address : undefined;
  } catch {
    return undefined;
  }
}

function insideNonInternet(address: ipaddr.IPv4 | ipaddr.IPv6, length: number, family: 4 | 6): boolean {
  return NOT_INTERNET[family].some(([network, bits]) => {
    if (length < bits) return false;
    return address.match(ipaddr.parse(network), bits);
  });
}

/** Whether one element contains an arbitrary internet source: false, true (it covers everything), or unknown. */
export function elementHoldsInternet(element: AddressElement, family: 4 | 6): Tri {
  const full = family === 4 ? 32 : 128;
  if (element.kind === 'range') {
    const from = parse(element.from, family);
    const to = parse(element.to, family);
    if (!from || !to) return 'unknown';
    const first = from.toNormalizedString() === (family === 4 ? '0.0.0.0' : '0:0:0:0:0:0:0:0');
    const last =
      to.toNormalizedString() === (family === 4 ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
    if (first && last) return true;
    // Both ends inside one non-internet range, or within one specific network: not a viewer's address in general.
    const within = (bits: number) => from.match(to, bits);
    return NOT_INTERNET[family].some(([network, bits]) => within(bits) && from.match(ipaddr.parse(network), bits)) ||
      within(WIDEST_SPECIFIC[family])
      ? false
      : 'unknown';
  }
  const address = parse(element.address, family);
  const length = element.length ?? full;
  if (!address || length < 0 || length > full) return 'unknown';
  if (length === 0) return true;
  if (insideNonInternet(address, length, family)) return false;
  return length >= WIDEST_SPECIFIC[family] ? false : 'unknown';
}

/** A source match against a list of elements (any may hold it). */
export function sourceMatches(elements: readonly AddressElement[], family: 4 | 6): Tri {
  const each = elements.map((element) => elementHoldsInternet(element, family));
  if (each.includes(true)) return true;
  return each.includes('unknown') ? 'unknown' : false;
}

/** "192.168.1.0/24", "10.0.0.1", "fd00::/8" (iptables-save prints prefixes; a dotted mask is read as well). */
export function elementFromCidrText(text: string): AddressElement {
  const [address = '', suffix] = text.split('/');
  if (suffix === undefined) return { kind: 'prefix', address };
  if (/^\d+$/.test(suffix)) return { kind: 'prefix', address, length: Number(suffix) };
  try {
    const length = ipaddr.IPv4.parse(suffix).prefixLengthFromSubnetMask();
    return { kind: 'prefix', address, length: length ?? -1 };
  } catch {
    return { kind: 'prefix', address, length: -1 };
  }
}
