/**
 * A DNS server on loopback (UDP) that answers `*.plex.direct` like Plex's resolver (the address encoded in the first
 * label, whatever the hash: docs/reference/plex-api.md §6), with modes for what home resolvers do to it:
 * - `plex-direct`: the real behaviour; A for IPv4 names, AAAA for IPv6 names, an empty answer for the other type.
 * - `rebind-empty`: private, loopback and link-local answers are stripped, leaving NOERROR with no records. This is
 *   what dnsmasq 2.90 `--stop-dns-rebind` answered when we put it in front of this server (it logs "possible
 *   DNS-rebind attack detected"), and what Unbound `private-address` is documented to do.
 * - `rebind-nxdomain`: those answers become NXDOMAIN instead (filters that refuse the name outright).
 * - `rebind-sinkhole`: those answers become 0.0.0.0 / :: (filters that answer a blocked name with a null address).
 * - `wrong-answer`: every name gets `wrongAddress` (a resolver that hijacks or rewrites).
 * - `servfail`, `refused`: that rcode for everything.
 * - `silent`: never answers (the client's deadline must end it).
 * - `malformed`: answers bytes that are not a valid DNS message (the query id, then junk).
 * Names outside plex.direct get NXDOMAIN in every answering mode.
 */
import { startUdpResponder } from './udp-responder.js';
import dnsPacket from 'dns-packet';
import { classifyAddress } from '../core/net/address.js';
import { parsePlexDirectName } from '../core/net/plex-direct.js';

export type FakeDnsMode =
  | 'plex-direct'
  | 'rebind-nxdomain'
  | 'rebind-empty'
  | 'rebind-sinkhole'
  | 'wrong-answer'
  | 'servfail'
  | 'refused'
  | 'silent'
  | 'malformed';

export interface FakeDnsOptions {
  /** @default 'plex-direct' */
  mode?: FakeDnsMode;
  /** '127.0.0.1' or '::1'. @default '127.0.0.1' */
  host?: string;
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** The A answer in `wrong-answer` mode. @default '192.0.2.123' */
  wrongAddress?: string;
  /** The AAAA answer in `wrong-answer` mode. @default '2001:db8::123' */
  wrongAddress6?: string;
}

export interface FakeDnsQuery {
  name: string;
  type: string;
}

export interface FakeDnsServer {
  /** "127.0.0.1:53535" or "[::1]:53535": what `Resolver#setServers` and the probes' `resolvers` option take. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  /** Every question received, in order. */
  readonly queries: readonly FakeDnsQuery[];
  setMode(mode: FakeDnsMode): void;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
/** The classes rebinding protection strips: RFC 1918 / ULA, loopback, link-local (dnsmasq 2.90 left 100.64/10 alone). */
const REBIND_CLASSES = new Set(['private', 'loopback', 'link-local']);

export async function startFakeDnsServer(options: FakeDnsOptions = {}): Promise<FakeDnsServer> {
  const host = options.host ?? '127.0.0.1';
  let mode: FakeDnsMode = options.mode ?? 'plex-direct';
  const queries: FakeDnsQuery[] = [];
  const responder = await startUdpResponder(host, options.port ?? 0, (message, from, udp) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (question) queries.push({ name: question.name, type: question.type });
    if (mode === 'silent') return;
    udp.send(mode === 'malformed' ? malformedReply(message) : answer(query, mode, options), from);
  });
  const port = responder.port;
  return {
    address: host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
    host,
    port,
    queries,
    setMode: (next) => {
      mode = next;
    },
    close: () => responder.close(),
  };
}

function answer(query: dnsPacket.DecodedPacket, mode: FakeDnsMode, options: FakeDnsOptions): Buffer {
  const question = query.questions?.[0];
  const reply = (rcode: number, answers: dnsPacket.Answer[] = []): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      // Recursion desired (echoed) and available, plus the rcode in the low four bits.
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: query.questions ?? [],
      answers,
    });
  if (!question) return reply(RCODE.SERVFAIL);
  if (mode === 'servfail') return reply(RCODE.SERVFAIL);
  if (mode === 'refused') return reply(RCODE.REFUSED);
  const name = parsePlexDirectName(question.name);
  if (!name) return reply(RCODE.NXDOMAIN);
  const wantType = name.family === 4 ? 'A' : 'AAAA';
  if (mode === 'wrong-answer') {
    if (question.type === 'A')
      return reply(RCODE.NOERROR, [record(question.name, 'A', options.wrongAddress ?? '192.0.2.123')]);
    if (question.type === 'AAAA')
      return reply(RCODE.NOERROR, [record(question.name, 'AAAA', options.wrongAddress6 ?? '2001:db8::123')]);
    return reply(RCODE.NOERROR);
  }
  if (question.type !== wantType) return reply(RCODE.NOERROR);
  if (REBIND_CLASSES.has(classifyAddress(name.address))) {
    if (mode === 'rebind-nxdomain') return reply(RCODE.NXDOMAIN);
    if (mode === 'rebind-empty') return reply(RCODE.NOERROR);
    if (mode === 'rebind-sinkhole')
      return reply(RCODE.NOERROR, [record(question.name, wantType, wantType === 'A' ? '0.0.0.0' : '::')]);
  }
  return reply(RCODE.NOERROR, [record(question.name, wantType, name.address)]);
}

function record(name: string, type: 'A' | 'AAAA', data: string): dnsPacket.Answer {
  return { name, type, ttl: 60, class: 'IN', data };
}

/** The query id (so the client pairs it with its query), the response bit, then bytes that do not parse. */
function malformedReply(query: Buffer): Buffer {
  const reply = Buffer.from([0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x13, 0x37]);
  query.copy(reply, 0, 0, 2);
  return reply;
}
