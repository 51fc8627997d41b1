/**
 * The UPnP probe: discover the IGD, then ask it (read-only) for its external address, its connection status and its
 * port-mapping table. A refusal of one action is data (`errors`), not a failure of the probe; only "no IGD" fails.
 */
import { classifyAddress, isIpAddress } from '../../core/net/address.js';
import type { ProbeResult } from '../types.js';
import { remainingMs, runWindowedProbe } from '../window.js';
import { createIgdClient, describeUpnpError, MAX_PORT_MAPPINGS, type IgdCallResult } from './client.js';
import { DEFAULT_DISCOVERY_TIMEOUT_MS, findIgd, type DiscoverIgdOptions } from './discover.js';
import { readIpv6FirewallStatus } from './ipv6-firewall.js';
import type { UpnpActionError, UpnpProbeValue } from './schema.js';

export interface ProbeUpnpOptions extends DiscoverIgdOptions {
  /** Deadline for the whole probe: discovery, description and every SOAP call. @default 8000 */
  timeoutMs?: number;
  /** Share of the deadline discovery may use. @default 3000 */
  discoveryTimeoutMs?: number;
  /** Deadline of each SOAP call (capped by what is left of the probe's deadline). @default 3000 */
  callTimeoutMs?: number;
  /** Largest number of mapping entries read. @default 256 */
  maxMappings?: number;
}

export const DEFAULT_UPNP_TIMEOUT_MS = 8000;

export function probeUpnp(options: ProbeUpnpOptions = {}): Promise<ProbeResult<UpnpProbeValue>> {
  return runWindowedProbe(options, DEFAULT_UPNP_TIMEOUT_MS, async (signal, deadlineAt, timeoutMs) => {
    const discoveryMs = Math.min(options.discoveryTimeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS, timeoutMs);
    const igd = await findIgd(options, signal, Math.min(deadlineAt, performance.now() + discoveryMs));
    const client = createIgdClient(igd, {
      signal,
      timeoutMs: options.callTimeoutMs ?? 3000,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const callTimeout = (): number => Math.min(options.callTimeoutMs ?? 3000, remainingMs(deadlineAt));
    const errors: UpnpActionError[] = [];
    const notes: string[] = [];
    const record = <T>(action: string, result: IgdCallResult<T>): T | undefined => {
      if (result.status === 'ok') return result.value;
      if (result.status === 'refused') errors.push({ action, ...result.upnpError });
      else errors.push({ action, description: result.error.message });
      return undefined;
    };

    const external = record('GetExternalIPAddress', await client.getExternalIpAddress({ timeoutMs: callTimeout() }));
    const ip = external?.externalIp.trim();
    let externalIpStatus: UpnpProbeValue['externalIpStatus'] = 'failed';
    let externalIp: string | undefined;
    if (ip === '') {
      externalIpStatus = 'empty';
      notes.push(
        'the IGD answered an empty external IP address: miniupnpd does this when its own WAN address is private or reserved (a second router or CGNAT in front of it)',
      );
    } else if (ip !== undefined && !isIpAddress(ip)) {
      externalIpStatus = 'invalid';
      notes.push(`the IGD answered an external IP address that is not an IP address: "${ip.slice(0, 60)}"`);
    } else if (ip !== undefined) {
      externalIpStatus = 'ok';
      externalIp = ip;
    }
    const externalIpClass = externalIp === undefined ? undefined : classifyAddress(externalIp);
    if (externalIpClass && externalIpClass !== 'public') {
      notes.push(
        `the IGD's external IP ${externalIp} is not public (${externalIpClass}): there is another NAT between this router and the internet`,
      );
    }

    const status = record('GetStatusInfo', await client.getStatusInfo({ timeoutMs: callTimeout() }));
    // Before the table walk, which may use up the deadline: one call, and only where the IGD offers the service.
    const ipv6Firewall = await readIpv6FirewallStatus(igd.ipv6FirewallControlUrl, {
      timeoutMs: callTimeout(),
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    if (ipv6Firewall.error) notes.push(`the IPv6 firewall status was read only in part: ${ipv6Firewall.error}`);
    const listing = await client.listPortMappings({
      max: options.maxMappings ?? MAX_PORT_MAPPINGS,
      deadlineAt,
      signal,
    });
    if (!listing.complete && listing.stoppedBy) {
      errors.push({ action: 'GetGenericPortMappingEntry', ...listing.stoppedBy });
      notes.push(
        `the port-mapping table was read only in part (${listing.mappings.length} entries): ${describeUpnpError(listing.stoppedBy)}`,
      );
    }
    return {
      ...igd,
      ...(externalIp !== undefined ? { externalIp } : {}),
      ...(externalIpClass ? { externalIpClass } : {}),
      externalIpStatus,
      ...(status ? { status } : {}),
      mappings: listing.mappings,
      mappingsComplete: listing.complete,
      errors,
      notes,
      ipv6Firewall,
    };
  });
}
