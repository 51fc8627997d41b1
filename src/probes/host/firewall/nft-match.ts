/**
 * One nft JSON match (`{"match": {"op", "left", "right"}}`, libnftables-json(5)) decided for the inbound packet. Only
 * what a host firewall uses to let a port in or keep it out is understood: the transport port, the L4 and L3
 * protocol, the source address, the input interface and conntrack state. Anything else is unknown.
 */
import { not, type Tri } from './engine.js';
import { sourceMatches, type AddressElement } from './addresses.js';
import { interfaceMatches, isTcp, portMatches, type InboundPacket } from './packet.js';

type Field = 'dport' | 'l4proto' | 'nfproto' | 'saddr' | 'iif' | 'ctstate';

/** What a match's left side reads: a field we decide, a protocol the packet is not ("never"), or unknown. */
type Left = { field: Field } | { never: true } | { unknown: string };

const OTHER_TRANSPORTS = new Set(['udp', 'udplite', 'sctp', 'dccp', 'icmp', 'icmpv6', 'igmp', 'esp', 'ah', 'comp']);

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function readLeft(left: unknown, packet: InboundPacket): Left {
  if (!isObject(left)) return { unknown: 'an expression' };
  const payload = left.payload;
  if (isObject(payload)) {
    const { protocol, field } = payload;
    if (protocol === 'tcp' || protocol === 'th')
      return field === 'dport' ? { field: 'dport' } : { unknown: `${String(protocol)} ${String(field)}` };
    if (typeof protocol === 'string' && OTHER_TRANSPORTS.has(protocol)) return { never: true };
    if (protocol === 'ip' || protocol === 'ip6') {
      // An ip (ip6) payload match implies IPv4 (IPv6): on the other family it never matches, whatever the operator.
      if ((protocol === 'ip') !== (packet.family === 4)) return { never: true };
      if (field === 'saddr') return { field: 'saddr' };
      if (field === 'protocol' || field === 'nexthdr') return { field: 'l4proto' };
    }
    return { unknown: `${String(protocol)} ${String(field)}` };
  }
  const meta = left.meta;
  if (isObject(meta)) {
    if (meta.key === 'l4proto') return { field: 'l4proto' };
    if (meta.key === 'nfproto') return { field: 'nfproto' };
    if (meta.key === 'iifname' || meta.key === 'iif') return { field: 'iif' };
    return { unknown: `meta ${String(meta.key)}` };
  }
  const ct = left.ct;
  if (isObject(ct) && ct.key === 'state' && ct.dir === undefined) return { field: 'ctstate' };
  return { unknown: Object.keys(left)[0] ?? 'an expression' };
}

/** The right side's elements, with a named set ("@lan") resolved; undefined when they cannot be read. */
export type SetLookup = (name: string) => unknown[] | undefined;

function elements(right: unknown, sets: SetLookup): unknown[] | undefined {
  if (typeof right === 'string' && right.startsWith('@')) return sets(right.slice(1));
  if (isObject(right) && Array.isArray(right.set)) return right.set as unknown[];
  if (Array.isArray(right)) return right as unknown[];
  return [right];
}

/** A set element may carry per-element data: `{"elem": {"val": ..., "timeout": ...}}`. */
function elementValue(element: unknown): unknown {
  return isObject(element) && isObject(element.elem) ? element.elem.val : element;
}

function portElement(element: unknown): { from: number; to: number } | undefined {
  const value = elementValue(element);
  const port = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN);
  if (isObject(value) && Array.isArray(value.range) && value.range.length === 2) {
    const [from, to] = value.range.map(port) as [number, number];
    return Number.isInteger(from) && Number.isInteger(to) ? { from, to } : undefined;
  }
  const single = port(value);
  return Number.isInteger(single) ? { from: single, to: single } : undefined;
}

function addressElement(element: unknown): AddressElement | undefined {
  const value = elementValue(element);
  if (typeof value === 'string') return { kind: 'prefix', address: value };
  if (
    isObject(value) &&
    isObject(value.prefix) &&
    typeof value.prefix.addr === 'string' &&
    typeof value.prefix.len === 'number'
  )
    return { kind: 'prefix', address: value.prefix.addr, length: value.prefix.len };
  if (isObject(value) && Array.isArray(value.range) && value.range.every((v) => typeof v === 'string'))
    return { kind: 'range', from: value.range[0] as string, to: value.range[1] as string };
  return undefined;
}

function anyOf(values: Tri[]): Tri {
  if (values.includes(true)) return true;
  return values.includes('unknown') ? 'unknown' : false;
}

function contains(field: Field, items: unknown[], packet: InboundPacket): Tri {
  switch (field) {
    case 'dport':
      return anyOf(
        items.map((item) => {
          const range = portElement(item);
          return range ? portMatches(range, packet) : 'unknown';
        }),
      );
    case 'l4proto':
      return anyOf(
        items.map((item) => {
          const value = elementValue(item);
          return typeof value === 'string' || typeof value === 'number' ? isTcp(value) : 'unknown';
        }),
      );
    case 'nfproto':
      return anyOf(items.map((item) => elementValue(item) === (packet.family === 4 ? 'ipv4' : 'ipv6')));
    case 'iif':
      return anyOf(
        items.map((item) => {
          const value = elementValue(item);
          return typeof value === 'string' ? interfaceMatches(value, packet) : 'unknown';
        }),
      );
    case 'ctstate':
      // A new connection's first packet is in state "new" and no other.
      return anyOf(items.map((item) => elementValue(item) === 'new'));
    case 'saddr': {
      const parsed = items.map(addressElement);
      if (parsed.some((p) => p === undefined)) return 'unknown';
      return sourceMatches(parsed as AddressElement[], packet.family);
    }
  }
}

/** Decides one `match` object for the packet. */
export function decideMatch(match: Json, packet: InboundPacket, sets: SetLookup): { value: Tri; why?: string } {
  const left = readLeft(match.left, packet);
  if ('never' in left) return { value: false };
  if ('unknown' in left) return { value: 'unknown', why: `cannot evaluate ${left.unknown}` };
  const items = elements(match.right, sets);
  if (!items) return { value: 'unknown', why: `set ${String(match.right)} cannot be read` };
  const op = match.op;
  if (op === '==' || op === 'in') return { value: contains(left.field, items, packet) };
  if (op === '!=') return { value: not(contains(left.field, items, packet)) };
  if (left.field === 'dport' && items.length === 1 && typeof items[0] === 'number') {
    const port = items[0];
    const compare: Record<string, boolean> = {
      '<': packet.port < port,
      '>': packet.port > port,
      '<=': packet.port <= port,
      '>=': packet.port >= port,
    };
    if (typeof op === 'string' && op in compare) return { value: compare[op]! };
  }
  return { value: 'unknown', why: `operator ${String(op)}` };
}
