/**
 * Which address Plex's port listens on, from Linux's /proc/net/tcp and /proc/net/tcp6. A server bound to 127.0.0.1
 * answers the host itself and nothing else; one bound to one interface's address answers only there. Both look like
 * "works here, not from there", which only this view tells apart. Other OSes have no such files: not checked.
 *
 * Format (linux/net/ipv4/tcp_ipv4.c get_tcp4_sock, tcp_ipv6.c get_tcp6_sock): `sl local_address rem_address st ...`,
 * the address printed as the in-memory 32-bit words in hex (so each word is byte-swapped on little-endian hosts),
 * `:PORT` in big-endian hex, state `0A` = TCP_LISTEN.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
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
  /** The socket's inode (ties it to the process holding it). */
  inode?: number;
  /** The program holding it (/proc/<pid>/comm: "Plex Media Serv", "docker-proxy", "sshd"), when readable. */
  owner?: string;
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
    const inode = Number(fields[9]);
    sockets.push({
      address: address.toString(),
      family,
      port: parseInt(local[2]!, 16),
      scope: scopeOf(address),
      ...(Number.isSafeInteger(inode) && inode > 0 ? { inode } : {}),
    });
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
  /** Only the sockets on this port, each with the program that holds it when that can be read. @default every port */
  port?: number;
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
    const reading = await readListeningSockets(options.fsRoot, options.signal);
    if (options.port === undefined) return { checked: true, value: reading };
    const sockets = reading.sockets.filter((socket) => socket.port === options.port);
    return {
      checked: true,
      value: { ...reading, sockets: await withOwners(sockets, options.fsRoot ?? '/', options.signal) },
    };
  } catch (error) {
    return { checked: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Bounds of the /proc scan for socket owners: a busy host has thousands of processes and descriptors. */
const MAX_PROCESSES = 4096;
const MAX_DESCRIPTORS = 200_000;

/** A process name, read at once: a non-blocking open of a regular file only (a FIFO under a test's fsRoot never hangs). */
function readCommNow(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return '';
    const buffer = Buffer.alloc(64);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, null)).trim();
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Who holds each socket: /proc/<pid>/fd/* links read `socket:[inode]`. Whether the port is held by Plex itself, by a
 * container runtime publishing it (docker-proxy) or by something in front of Plex (sshd for a tunnel, a reverse proxy)
 * changes what its address means. Other users' processes are unreadable without root: their sockets keep no owner.
 *
 * procfs reads are memory reads: done synchronously, one process at a time with a yield between processes. One
 * thread-pool job per descriptor (fs/promises) made this scan 5× slower alone and, queued behind the rest of a
 * collection's file reads, 1.5-4 s on a host with ~11,000 descriptors: as long as the collector's deadline.
 * Only processes in this network namespace can hold a socket of its /proc/net/tcp: the others are not scanned.
 */
async function withOwners(
  sockets: ListeningSocket[],
  fsRoot: string,
  signal?: AbortSignal,
): Promise<ListeningSocket[]> {
  const wanted = new Set(sockets.flatMap((socket) => (socket.inode === undefined ? [] : [socket.inode])));
  if (wanted.size === 0) return sockets;
  const owners = new Map<number, string>();
  const proc = join(fsRoot, 'proc');
  const link = (path: string): string => {
    try {
      return readlinkSync(path);
    } catch {
      return '';
    }
  };
  const ownNetwork = link(join(proc, 'self', 'ns', 'net'));
  const pids = (await readdir(proc).catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  let descriptors = 0;
  for (const pid of pids.slice(0, MAX_PROCESSES)) {
    if (owners.size === wanted.size || descriptors > MAX_DESCRIPTORS || signal?.aborted) break;
    const network = ownNetwork && link(join(proc, pid, 'ns', 'net'));
    if (network && network !== ownNetwork) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(join(proc, pid, 'fd'));
    } catch {
      // Exited, or another user's: no owner from it.
    }
    descriptors += fds.length;
    for (const fd of fds) {
      const inode = /^socket:\[(\d+)\]$/.exec(link(join(proc, pid, 'fd', fd)))?.[1];
      if (inode === undefined || !wanted.has(Number(inode)) || owners.has(Number(inode))) continue;
      const comm = readCommNow(join(proc, pid, 'comm'));
      if (comm) owners.set(Number(inode), comm.slice(0, 64));
    }
    // Let timers and sockets of the other collectors run between processes.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return sockets.map((socket) => {
    const owner = socket.inode === undefined ? undefined : owners.get(socket.inode);
    return owner ? { ...socket, owner } : socket;
  });
}
