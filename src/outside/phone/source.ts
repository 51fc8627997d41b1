/**
 * Who a visit came from. Only a public address that is not the home's own counts as the outside: a LAN, loopback,
 * CGNAT/tailnet or link-local source is a device inside (or a VPN into) the network, and the home's own public address
 * is NAT loopback (hairpin), which proves nothing about the internet's view (docs/outside-checks.md).
 */
import { classifyAddress, type AddressClass } from '../../core/net/address.js';

export type VisitSourceKind = 'outside' | 'inside' | 'hairpin';

export interface VisitSource {
  /** The address as seen on the socket, IPv4-mapped IPv6 unwrapped. */
  address: string;
  addressClass: AddressClass;
  kind: VisitSourceKind;
}

/** Decides a source; injectable so loopback tests can play an outside phone. */
export type ClassifySource = (address: string) => VisitSource;

export function normalizeAddress(address: string): string {
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();
}

/** The default: public and not one of the home's own public addresses. */
export function sourceClassifier(ownPublicAddresses: readonly string[]): ClassifySource {
  const own = new Set(ownPublicAddresses.map(normalizeAddress));
  return (raw) => {
    const address = normalizeAddress(raw);
    const addressClass = classifyAddress(address);
    if (own.has(address)) return { address, addressClass, kind: 'hairpin' };
    return { address, addressClass, kind: addressClass === 'public' ? 'outside' : 'inside' };
  };
}
