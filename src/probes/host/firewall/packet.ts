/** The one packet both readers decide for, and the small matchers they share. */
import type { Tri } from './engine.js';

/** A new inbound TCP connection (SYN, conntrack state "new") to Plex's port from an address outside the LAN. */
export interface InboundPacket {
  family: 4 | 6;
  /** The port on this host (the forward's internal port). */
  port: number;
  /**
   * The interface the packet arrives on (the one towards the router); unknown when undefined. Whatever it is, it is
   * never the loopback interface.
   */
  inInterface?: string;
}

const LOOPBACK_INTERFACE = 'lo';

/** An interface-name match; `eth*` (nft) and `eth+` (iptables) are prefixes. */
export function interfaceMatches(pattern: string, packet: InboundPacket): Tri {
  const wildcard = pattern.endsWith('*') || pattern.endsWith('+');
  const stem = wildcard ? pattern.slice(0, -1) : pattern;
  const matches = (name: string) => (wildcard ? name.startsWith(stem) : name === stem);
  if (packet.inInterface !== undefined) return matches(packet.inInterface);
  return matches(LOOPBACK_INTERFACE) && !wildcard ? false : 'unknown';
}

/** IANA protocol numbers and the names nft and iptables print for TCP. */
export function isTcp(value: string | number): boolean {
  return value === 6 || value === '6' || value === 'tcp';
}

/** A port match element: one port or an inclusive range. */
export function portMatches(element: { from: number; to: number }, packet: InboundPacket): boolean {
  return packet.port >= element.from && packet.port <= element.to;
}
