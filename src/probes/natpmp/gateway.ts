/**
 * The IPv4 default gateway for NAT-PMP, read from /proc/net/route without the thread pool.
 *
 * Why not host/gateway.ts's readRoutes: it reads two files through fs/promises (stat, open, read, close: a handful of
 * libuv thread-pool jobs), and inside a collection those jobs queue behind the host probe's dozens of reads and the
 * DNS lookups of the other collectors. In the lab that queue was most of NAT-PMP's 240-260 ms, where the router itself
 * answers in 1-2 ms (docs/performance.md, "NAT-PMP"). /proc/net/route is a few hundred bytes the kernel renders
 * synchronously, so it is read here in one synchronous call; opened non-blocking and only if it is a regular file,
 * so a FIFO under a test's fsRoot is "unreadable" instead of a hang, and capped like readHostFile.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseProcNetRoute } from '../host/gateway.js';
import { resolveSources, type HostSources } from '../host/sources.js';

const MAX_ROUTE_BYTES = 256 * 1024;
const RTF_UP = 0x1;
const RTF_REJECT = 0x200;

function readSmallFileNow(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(MAX_ROUTE_BYTES);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0 || (length += read) >= buffer.length) break;
    }
    return buffer.toString('utf8', 0, length);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The lowest-metric usable IPv4 default route's gateway (as host/gateway.ts's defaultIpv4Gateway), or undefined. */
export function natPmpGateway(sources: HostSources = {}): string | undefined {
  const { fsRoot, platform } = resolveSources(sources);
  if (platform !== 'linux') return undefined;
  const text = readSmallFileNow(join(fsRoot, 'proc/net/route'));
  return parseProcNetRoute(text ?? '')
    .filter((route) => (route.flags & RTF_UP) !== 0 && (route.flags & RTF_REJECT) === 0 && route.interface !== 'lo')
    .filter((route) => route.destination === '0.0.0.0/0' && route.gateway)
    .sort((a, b) => a.metric - b.metric)[0]?.gateway;
}
