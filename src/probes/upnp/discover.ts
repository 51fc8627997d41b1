/**
 * Finds the UPnP Internet Gateway Device: SSDP search, then the description of each new LOCATION, until one lists a
 * WAN connection service (then it stops at once) or the window closes. No token or other secret is ever sent: the
 * LOCATION is whatever a LAN device claims, so it is fetched like any untrusted URL (deadline, 256 KiB cap).
 */
import type { RemoteInfo } from 'node:dgram';
import type { Dispatcher } from 'undici';
import { ProbeFailure, type ProbeError, type ProbeOptions, type ProbeResult } from '../types.js';
import { parseHostPort } from '../udp.js';
import { remainingMs, runWindowedProbe } from '../window.js';
import {
  fetchDeviceDescription,
  IPV6_FIREWALL_SERVICE_TYPE,
  pickWanService,
  type DeviceDescription,
} from './description.js';
import type { IgdDiscovery } from './schema.js';
import {
  IGD_SEARCH_TARGETS,
  isUsableReply,
  SSDP_MULTICAST_ADDRESS,
  SSDP_PORT,
  startSsdpSearch,
  type SsdpReply,
} from './ssdp.js';

export interface DiscoverIgdOptions extends ProbeOptions {
  /** Deadline for the search and the description fetch. @default 3000 */
  timeoutMs?: number;
  /** Where the M-SEARCH goes ("host:port"; tests use a unicast loopback responder). @default '239.255.255.250:1900' */
  ssdpAddress?: string;
  /**
   * Local IPv4 address to send the multicast from. Needed on multi-homed hosts, and on a host without a default
   * route, where sending fails with ENETUNREACH (docs/reference/netlab.md "What failed" 3). @default the kernel's
   * choice
   */
  multicastInterface?: string;
  /** Skip SSDP and use this description URL (e.g. `http://192.168.1.1:5000/rootDesc.xml`). @default undefined */
  location?: string;
  /** undici dispatcher for the description fetch. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
}

export const DEFAULT_DISCOVERY_TIMEOUT_MS = 3000;
/** Different LOCATIONs we fetch at most: a LAN full of renderers should not turn into a fetch storm. */
const MAX_LOCATIONS = 16;

/** Runs discovery as a probe of its own. */
export function discoverIgd(options: DiscoverIgdOptions = {}): Promise<ProbeResult<IgdDiscovery>> {
  return runWindowedProbe(options, DEFAULT_DISCOVERY_TIMEOUT_MS, (signal, deadlineAt) =>
    findIgd(options, signal, deadlineAt),
  );
}

function toDiscovery(
  location: string,
  description: DeviceDescription,
  reply: SsdpReply | undefined,
  from: RemoteInfo | undefined,
  replies: number,
): IgdDiscovery {
  const service = pickWanService(description);
  if (!service) {
    const types = description.services.map((s) => s.serviceType).join(', ') || 'none';
    throw new ProbeFailure({
      phase: 'response',
      code: 'ENOWANSERVICE',
      message: `${location} lists no WANIPConnection/WANPPPConnection service (services: ${types})`,
    });
  }
  return {
    location,
    ...(from ? { ssdpFrom: from.address } : {}),
    ...(reply?.server ? { server: reply.server } : {}),
    ...(description.friendlyName ? { friendlyName: description.friendlyName } : {}),
    ...(description.modelName ? { modelName: description.modelName } : {}),
    ...(description.manufacturer ? { manufacturer: description.manufacturer } : {}),
    ...(description.deviceType ? { deviceType: description.deviceType } : {}),
    serviceType: service.serviceType,
    controlUrl: service.controlUrl,
    wanServices: description.wanServices.map(({ serviceType, controlUrl }) => ({ serviceType, controlUrl })),
    ssdpReplies: replies,
    ...ipv6Firewall(description),
  };
}

function ipv6Firewall(description: DeviceDescription): { ipv6FirewallControlUrl?: string } {
  const service = description.services.find((s) => s.serviceType === IPV6_FIREWALL_SERVICE_TYPE);
  return service ? { ipv6FirewallControlUrl: service.controlUrl } : {};
}

/** The discovery body, shared with `probeUpnp`. Throws `ProbeFailure` (ENOIGD, ENOWANSERVICE, ...) when nothing usable is found. */
export async function findIgd(
  options: DiscoverIgdOptions,
  signal: AbortSignal,
  deadlineAt: number,
): Promise<IgdDiscovery> {
  const fetchOptions = { signal, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) };
  if (options.location) {
    const description = await fetchDeviceDescription(options.location, {
      ...fetchOptions,
      timeoutMs: remainingMs(deadlineAt),
    });
    return toDiscovery(options.location, description, undefined, undefined, 0);
  }
  const ssdpAddress = options.ssdpAddress ?? `${SSDP_MULTICAST_ADDRESS}:${SSDP_PORT}`;
  const target = parseHostPort(ssdpAddress, SSDP_PORT);
  if (!target)
    throw new ProbeFailure({ phase: 'request', code: 'EINVAL', message: `invalid ssdpAddress "${ssdpAddress}"` });

  const local = new AbortController();
  const stop = (): void => local.abort();
  signal.addEventListener('abort', stop, { once: true });
  const seen = new Set<string>();
  const failures: ProbeError[] = [];
  let replies = 0;
  let pending = 0;
  try {
    return await new Promise<IgdDiscovery>((resolve, reject) => {
      const onReply = (reply: SsdpReply, from: RemoteInfo): void => {
        replies += 1;
        if (!isUsableReply(reply) || seen.has(reply.location) || seen.size >= MAX_LOCATIONS) return;
        seen.add(reply.location);
        pending += 1;
        fetchDeviceDescription(reply.location, {
          ...fetchOptions,
          signal: local.signal,
          timeoutMs: remainingMs(deadlineAt),
        })
          .then((description) => resolve(toDiscovery(reply.location, description, reply, from, replies)))
          .catch((error: unknown) => {
            failures.push(
              error instanceof ProbeFailure
                ? error.detail
                : { phase: 'response', code: 'EUNKNOWN', message: String(error) },
            );
          })
          .finally(() => (pending -= 1));
      };
      const windowTimer = setTimeout(
        () => reject(noIgd(ssdpAddress, replies, failures, pending)),
        remainingMs(deadlineAt),
      );
      local.signal.addEventListener('abort', () => clearTimeout(windowTimer), { once: true });
      startSsdpSearch({
        target,
        searchTargets: IGD_SEARCH_TARGETS,
        multicastInterface: options.multicastInterface,
        signal: local.signal,
        onReply,
      })
        .then((search) => {
          if (search.sent === 0) {
            const codes = [...new Set(search.sendErrors)].join(', ');
            const hint = codes.includes('ENETUNREACH')
              ? ': no route for multicast (no default route? pass multicastInterface)'
              : '';
            reject(
              new ProbeFailure({
                phase: 'request',
                code: 'ENOIGD',
                message: `could not send the SSDP search to ${ssdpAddress} (${codes})${hint}`,
              }),
            );
            return;
          }
          // Resend once: UDP is lossy and some IGDs miss the first burst. Skipped if an IGD was found meanwhile.
          const resendTimer = setTimeout(() => void search.resend(), Math.min(1000, remainingMs(deadlineAt) / 3));
          local.signal.addEventListener('abort', () => clearTimeout(resendTimer), { once: true });
        })
        .catch((error: unknown) => {
          reject(
            new ProbeFailure({
              phase: 'request',
              code: 'ENOIGD',
              message: `could not open a UDP socket for SSDP: ${error instanceof Error ? error.message : String(error)}`,
            }),
          );
        });
    });
  } finally {
    signal.removeEventListener('abort', stop);
    local.abort();
  }
}

function noIgd(ssdpAddress: string, replies: number, failures: ProbeError[], pending: number): ProbeFailure {
  const window = `the SSDP search to ${ssdpAddress}`;
  if (replies === 0) {
    return new ProbeFailure({
      phase: 'timeout',
      code: 'ENOIGD',
      message: `no UPnP IGD answered ${window} in time: UPnP is off on the router, or multicast does not reach it`,
    });
  }
  const reasons = failures.map((failure) => failure.message);
  if (pending > 0) reasons.push(`${pending} description fetch(es) still running at the deadline`);
  return new ProbeFailure({
    phase: failures.length > 0 ? 'response' : 'timeout',
    code: 'ENOIGD',
    message: `${replies} SSDP repl${replies === 1 ? 'y' : 'ies'} to ${window}, but no usable UPnP IGD${reasons.length ? `: ${reasons.join('; ')}` : ' (no LOCATION header)'}`,
  });
}
