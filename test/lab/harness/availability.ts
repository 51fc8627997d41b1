/**
 * Can this machine run the lab? Root, Linux, the binaries, and an actual `ip netns add` (a container without
 * CAP_SYS_ADMIN has root's uid but fails there: docs/reference/netlab.md "Capability checks"). Answered once per tool
 * set.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runSyncQuietly } from './command.js';

export interface LabAvailability {
  available: boolean;
  /** Why not, in one line (printed as `lab skipped: <reason>`). */
  reason?: string;
}

/** ip and nft live in /usr/sbin, which a non-login PATH may lack. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export function findBinary(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...SBIN]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // Not here.
    }
  }
  return undefined;
}

const cache = new Map<string, LabAvailability>();

function probeNetns(): string | undefined {
  const name = `pd${Math.random().toString(36).slice(2, 7).padEnd(5, '0')}-probe`;
  // Without CAP_NET_ADMIN the namespace is created but cannot be configured (docs/reference/netlab.md capability
  // checks): try both.
  const added =
    runSyncQuietly(['ip', 'netns', 'add', name]) !== undefined &&
    runSyncQuietly(['ip', '-n', name, 'link', 'set', 'lo', 'up']) !== undefined;
  runSyncQuietly(['ip', 'netns', 'del', name]);
  return added ? undefined : '`ip netns add` is not permitted here (needs CAP_SYS_ADMIN and CAP_NET_ADMIN)';
}

/** Checks once (per set of extra tools) whether labs can run; `tools` are extra binaries such as miniupnpd or dnsmasq. */
export function checkLabAvailability(tools: readonly string[] = []): LabAvailability {
  const key = [...tools].sort().join(',');
  const known = cache.get(key);
  if (known) return known;
  let reason: string | undefined;
  if (process.platform !== 'linux') reason = `network namespaces need Linux (this is ${process.platform})`;
  else if (process.getuid?.() !== 0)
    reason = 'not root (the lab creates network namespaces; run `npm run test:lab` as root, e.g. in CI)';
  else {
    const missing = ['ip', 'nft', ...tools].filter((tool) => !findBinary(tool));
    if (missing.length > 0)
      reason = `missing ${missing.join(', ')} (Debian: iproute2 nftables miniupnpd miniupnpc natpmpc dnsmasq-base openssl)`;
    else reason = probeNetns();
  }
  const answer: LabAvailability = reason ? { available: false, reason } : { available: true };
  cache.set(key, answer);
  return answer;
}

/**
 * Every binary the lab's self-tests and scenarios use besides ip and nft: the daemons, the independent UPnP/NAT-PMP
 * clients the tests check against, openssl for the plex.direct certificate, and unshare + chroot for the plain LAN
 * host the CLI runs on (bin/plain-host.sh).
 */
export const ALL_LAB_TOOLS = ['miniupnpd', 'dnsmasq', 'upnpc', 'natpmpc', 'openssl', 'unshare', 'chroot'] as const;
