/**
 * `*.plex.direct` names: `<ip with dashes>.<32-hex>.plex.direct`. Plex's resolver answers with the address encoded
 * in the first label and ignores the hash (docs/reference/plex-api.md §6), so the name alone says which address a
 * client will dial. The hash is not the machineIdentifier.
 */
import ipaddr from 'ipaddr.js';

export interface PlexDirectName {
  /** The address encoded in the first label, in canonical form. */
  address: string;
  family: 4 | 6;
  /** The 32-hex label (certificate/account specific). */
  hash: string;
  /** The full host name, lower-cased. */
  hostname: string;
}

const SUFFIX = '.plex.direct';

export function isPlexDirectHost(host: string): boolean {
  return host.toLowerCase().replace(/\.$/, '').endsWith(SUFFIX);
}

/** Parses a host name (or a URL) into its encoded address and hash; `undefined` when it is not a plex.direct name. */
export function parsePlexDirectName(hostOrUrl: string): PlexDirectName | undefined {
  let host = hostOrUrl.trim();
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname;
    } catch {
      return undefined;
    }
  }
  host = host.toLowerCase().replace(/\.$/, '');
  if (!host.endsWith(SUFFIX)) return undefined;
  const labels = host.slice(0, -SUFFIX.length).split('.');
  if (labels.length !== 2) return undefined;
  const [encoded, hash] = labels as [string, string];
  if (!/^[0-9a-z_-]+$/.test(hash) || hash.length === 0) return undefined;
  const address = decodeAddressLabel(encoded);
  if (!address) return undefined;
  return { ...address, hash, hostname: host };
}

function decodeAddressLabel(label: string): { address: string; family: 4 | 6 } | undefined {
  const v4 = label.split('-');
  if (v4.length === 4 && v4.every((part) => /^\d{1,3}$/.test(part))) {
    const candidate = v4.join('.');
    if (ipaddr.IPv4.isValidFourPartDecimal(candidate))
      return { address: ipaddr.IPv4.parse(candidate).toString(), family: 4 };
    return undefined;
  }
  // IPv6: every ':' became '-' ("2001-db8--1" is 2001:db8::1).
  const v6 = label.replace(/-/g, ':');
  if (ipaddr.IPv6.isValid(v6)) return { address: ipaddr.IPv6.parse(v6).toString(), family: 6 };
  return undefined;
}

/** Builds the plex.direct host name a server with this certificate hash would publish for an address. */
export function plexDirectHostname(address: string, hash: string): string {
  const parsed = ipaddr.parse(address);
  const label =
    parsed.kind() === 'ipv4'
      ? parsed.toString().replace(/\./g, '-')
      : (parsed as ipaddr.IPv6).toString().replace(/:/g, '-');
  return `${label}.${hash.toLowerCase()}${SUFFIX}`;
}
