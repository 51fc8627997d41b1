/**
 * Which address Plex's port listens on, from Linux's /proc/net/tcp and /proc/net/tcp6. A server bound to 127.0.0.1
 * answers the host itself and nothing else; one bound to one interface's address answers only there. Both look like
 * "works here, not from there", which only this view tells apart. Other OSes have no such files: not checked.
 *
 * Format (linux/net/ipv4/tcp_ipv4.c get_tcp4_sock, tcp_ipv6.c get_tcp6_sock): `sl local_address rem_address st ...`,
 * the address printed as the in-memory 32-bit words in hex (so each word is byte-swapped on little-endian hosts),
 * `:PORT` in big-endian hex, state `0A` = TCP_LISTEN.
 */
import { endianness } from 'node:os';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { readFileCapped } from '../../core/util/read-capped.js';

export type ListenScope = 'all' | 'loopback' | 'address';

export interface ListeningSocket {
  /** As printed by ipaddr.js ("0.0.0.0", "::", "192.168.1.10"); a v4-mapped v6 address as its IPv4 form. */
  address: string;
  family: 4 | 6;
  port: number;
  /** Every address (0.0.0.0, ::), loopback only, or one specific address. */
  scope: ListenScope;
}

const TCP_LISTEN = '0A';
const LOCAL = /^([0-9a-f]{8}|[0-9a-f]{32}):([0-9a-f]{4})$/i;

/** One 8-hex-digit word as the kernel printed it, in network byte order. */
function wordBytes(word: string, order: 'BE' | 'LE'): number[] {
  const bytes = [0, 2, 4, 6].map((at) => parseInt(word.slice(at, at + 2), 16));
  return order === 'LE' ? bytes.reverse() : bytes;
}

/** The local address of a /proc/net/tcp{,6} line: "0100007F" → 127.0.0.1, 32 hex digits → an IPv6 address. */
export function procHexAddress(hex: string, order: 'BE' | 'LE' = endianness()): ipaddr.IPv4 | ipaddr.IPv6 {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => wordBytes(word, order));
  return bytes.length === 4 ? new ipaddr.IPv4(bytes) : new ipaddr.IPv6(bytes);
}

function scopeOf(address: ipaddr.IPv4 | ipaddr.IPv6): ListenScope {
  const range = address.range();
  if (range === 'unspecified') return 'all';
  return range === 'loopback' ? 'loopback' : 'address';
}

/** The sockets in LISTEN state, from the text of /proc/net/tcp or tcp6. Malformed lines are skipped; never throws. */
export function parseProcNetTcp(text: string, order: 'BE' | 'LE' = endianness()): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3]!.toUpperCase() !== TCP_LISTEN) continue;
    const local = LOCAL.exec(fields[1]!);
    if (!local) continue;
    const family = local[1]!.length === 8 ? 4 : 6;
    let address: ipaddr.IPv4 | ipaddr.IPv6 = procHexAddress(local[1]!, order);
    // ::ffff:a.b.c.d is an IPv4 address reached through a v6 socket: it answers exactly where a.b.c.d would.
    if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) address = address.toIPv4Address();
    sockets.push({ address: address.toString(), family, port: parseInt(local[2]!, 16), scope: scopeOf(address) });
  }
  return sockets;
}

/** /proc/net/tcp of a busy host is about 150 bytes a socket: 8 MiB holds over 50 000 sockets. */
export const MAX_PROC_NET_BYTES = 8 * 1024 * 1024;

export interface ListenReading {
  sockets: ListeningSocket[];
  /** What could not be read ("/proc/net/tcp6: ENOENT (IPv6 disabled?)"). */
  notes: string[];
}

/** Reads both files under fsRoot (tests point it at a fixture tree); a file that cannot be read becomes a note. */
export async function readListeningSockets(fsRoot = '/', signal?: AbortSignal): Promise<ListenReading> {
  const notes: string[] = [];
  const sockets: ListeningSocket[] = [];
  let readAny = false;
  for (const file of ['proc/net/tcp', 'proc/net/tcp6']) {
    try {
      const read = await readFileCapped(join(fsRoot, file), {
        maxBytes: MAX_PROC_NET_BYTES,
        ...(signal ? { signal } : {}),
      });
      if (read.status === 'too-large') {
        notes.push(`/${file}: larger than ${MAX_PROC_NET_BYTES} bytes, not read`);
        continue;
      }
      readAny = true;
      sockets.push(...parseProcNetTcp(read.buffer.toString('latin1')));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      notes.push(`/${file}: ${code}`);
    }
  }
  if (!readAny) throw new Error(`listening sockets could not be read (${notes.join('; ')})`);
  return { sockets, notes };
}

export type ListenProbeResult = { checked: true; value: ListenReading } | { checked: false; reason: string };

export interface ProbeListenOptions {
  /** @default '/' */
  fsRoot?: string;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  signal?: AbortSignal;
}

/** The listening sockets, or why they were not read (another OS, /proc unreadable). */
export async function probeHostListen(options: ProbeListenOptions = {}): Promise<ListenProbeResult> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux')
    return { checked: false, reason: `not checked on this platform (${platform}): only Linux's /proc/net/tcp is read` };
  try {
    return { checked: true, value: await readListeningSockets(options.fsRoot, options.signal) };
  } catch (error) {
    return { checked: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
