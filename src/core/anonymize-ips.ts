/**
 * Consistent, class-preserving IP anonymisation for reports people paste into forums.
 *
 * A diagnosis is about *relations* between addresses (the router's WAN equals the public IP; the server's address is
 * inside allowedNetworks; the advertised address is not on the LAN), so a placeholder like "IP-1" would break the
 * very evidence a helper needs. Instead each address is mapped prefix-preservingly (the Crypto-PAn idea, with HMAC):
 * equal addresses map equal, addresses sharing an n-bit prefix still share one, and the bits that define the class
 * (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, ...) are kept, so private stays private and CGNAT stays CGNAT.
 * Public addresses stay public. Loopback and unspecified addresses are left alone: they identify nobody.
 *
 * In a rendered report (`publicAs: 'documentation'`) a public address becomes a documentation address instead
 * (203.0.113.0/24, 198.51.100.0/24, 192.0.2.0/24; 2001:db8::/32): a random public address pasted into a forum is
 * somebody's real address. Equal stays equal; only the prefix relations between public addresses are given up, and
 * the classes that carry the diagnosis (private, CGNAT, link-local) are kept as before. Snapshots keep public
 * addresses public, since rules read their class.
 */
import { createHmac, randomBytes } from 'node:crypto';
import ipaddr from 'ipaddr.js';

// Prefixes whose bits are kept so the class survives; the rest of the address is anonymised.
const KEPT_V4: [string, number][] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['192.0.2.0', 24],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const KEPT_V6: [string, number][] = [
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
];

function keptPrefix(address: ipaddr.IPv4 | ipaddr.IPv6): number {
  const table = address.kind() === 'ipv4' ? KEPT_V4 : KEPT_V6;
  for (const [network, bits] of table) {
    if (address.match(ipaddr.parse(network), bits)) return bits;
  }
  return 0;
}

function toBits(bytes: number[]): number[] {
  return bytes.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >> (7 - i)) & 1));
}

function fromBits(bits: number[]): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < bits.length; i += 8) bytes.push(bits.slice(i, i + 8).reduce((acc, bit) => (acc << 1) | bit, 0));
  return bytes;
}

export interface IpAnonymizer {
  /** The anonymised form of one address (any text that is not an address comes back unchanged). */
  address(text: string): string;
  /** Replaces every address (dotted, IPv6, and the dashed form in plex.direct names) and plex.direct hash in a text. */
  text(text: string): string;
}

export interface IpAnonymizerOptions {
  /** What a public address becomes: another public address, or a documentation address. @default 'public' */
  publicAs?: 'public' | 'documentation';
}

const DOCUMENTATION_V4 = ['203.0.113', '198.51.100', '192.0.2'];
const DOCUMENTATION_V6 = new ipaddr.IPv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);

/**
 * @param key HMAC key; one key per report keeps mappings consistent within it. @default 32 random bytes
 * @param options see IpAnonymizerOptions
 */
export function createIpAnonymizer(key: Buffer = randomBytes(32), options: IpAnonymizerOptions = {}): IpAnonymizer {
  const cache = new Map<string, string>();
  let documentationV4Used = 0;

  const flip = (round: number, position: number, prefix: number[]): number =>
    createHmac('sha256', key)
      .update(`${round}:${position}:${prefix.join('')}`)
      .digest()[0]! & 1;

  const anonymize = (parsed: ipaddr.IPv4 | ipaddr.IPv6): string => {
    const kept = keptPrefix(parsed);
    const original = toBits(parsed.toByteArray());
    for (let round = 0; round < 16; round++) {
      const bits = original.map((bit, i) => (i < kept ? bit : bit ^ flip(round, i, original.slice(0, i))));
      const bytes = fromBits(bits);
      const result =
        parsed.kind() === 'ipv4'
          ? new ipaddr.IPv4(bytes)
          : new ipaddr.IPv6(bytes.flatMap((_, i) => (i % 2 === 0 ? [(bytes[i]! << 8) | bytes[i + 1]!] : [])));
      // A public address must stay public (not land in a special range); re-roll deterministically until it does.
      if (kept > 0 || result.range() === 'unicast') return result.toString();
    }
    return parsed.toString();
  };

  // Public and documentation v4 addresses share one pool, handed out in order of appearance, so a mapped public
  // address never collides with a documentation address that was in the report already.
  const documentationV4 = (parsed: ipaddr.IPv4): string => {
    const index = documentationV4Used++;
    if (index < DOCUMENTATION_V4.length * 254)
      return `${DOCUMENTATION_V4[Math.floor(index / 254)]}.${(index % 254) + 1}`;
    const bytes = ipaddr.parse(anonymize(parsed)).toByteArray(); // past 762 addresses: hashed into the pool
    return `${DOCUMENTATION_V4[bytes[2]! % DOCUMENTATION_V4.length]}.${(bytes[3]! % 254) + 1}`;
  };
  const documentationV6 = (parsed: ipaddr.IPv6): string => {
    const low = ipaddr.parse(anonymize(parsed)).toByteArray().slice(4);
    const bytes = [...DOCUMENTATION_V6.toByteArray().slice(0, 4), ...low];
    return new ipaddr.IPv6(bytes.flatMap((_, i) => (i % 2 === 0 ? [(bytes[i]! << 8) | bytes[i + 1]!] : []))).toString();
  };
  const isDocumentation = (parsed: ipaddr.IPv4 | ipaddr.IPv6): boolean =>
    parsed.kind() === 'ipv4'
      ? DOCUMENTATION_V4.some((net) => (parsed as ipaddr.IPv4).match(ipaddr.IPv4.parse(`${net}.0`), 24))
      : (parsed as ipaddr.IPv6).match(DOCUMENTATION_V6, 32);

  const address = (text: string): string => {
    if (!ipaddr.isValid(text)) return text;
    const cached = cache.get(text);
    if (cached) return cached;
    let parsed = ipaddr.parse(text);
    if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    const range = parsed.range();
    let out: string;
    if (options.publicAs === 'documentation' && (range === 'unicast' || isDocumentation(parsed)))
      out = parsed.kind() === 'ipv4' ? documentationV4(parsed as ipaddr.IPv4) : documentationV6(parsed as ipaddr.IPv6);
    // Special-purpose addresses outside the kept table (loopback, 192.0.0.0/24, 6to4 relays, ...) identify nobody.
    else out = range !== 'unicast' && keptPrefix(parsed) === 0 ? text : anonymize(parsed);
    cache.set(text, out);
    return out;
  };

  const hash = (value: string): string =>
    createHmac('sha256', key).update(`hash:${value.toLowerCase()}`).digest('hex').slice(0, value.length);

  const text = (input: string): string =>
    input
      // plex.direct names first: the address is dashed and the hash is account-specific.
      .replace(/\b([0-9a-f-]{3,45})\.([0-9a-f]{32})\.plex\.direct\b/gi, (whole, label: string, digest: string) => {
        const dotted = label.split('-').length === 4 ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
        if (!ipaddr.isValid(dotted)) return whole;
        const mapped = address(dotted);
        const mappedLabel = mapped.includes(':') ? mapped.replace(/:/g, '-') : mapped.replace(/\./g, '-');
        return `${mappedLabel}.${hash(digest)}.plex.direct`;
      })
      .replace(/(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g, (candidate) =>
        ipaddr.IPv4.isValidFourPartDecimal(candidate) ? address(candidate) : candidate,
      )
      .replace(/(?<![0-9a-f:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9a-f:])/gi, (candidate) =>
        candidate.replace(/:/g, '').length > 0 && ipaddr.IPv6.isValid(candidate) ? address(candidate) : candidate,
      );

  return { address, text };
}
