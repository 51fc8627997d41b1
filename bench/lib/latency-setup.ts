/**
 * The end-to-end setup of the latency bench: a fake Plex Media Server and a fake plex.tv on loopback, in a child
 * process (fake-host.ts), each answering every request after `latencyMs`; plex.tv lists the server with N
 * connections, each a real listener (a fake PMS with the same machineIdentifier and the same latency) so the
 * connection probes really dial and GET /identity. The LAN probes without a loopback peer worth timing (host, UPnP,
 * NAT-PMP, GDM) are `probes` overrides that answer after one `latencyMs`: one round trip to the router each.
 */
import type { ProbeSet } from '../../src/collect/services.js';
import type { DiagnoseOptions } from '../../src/diagnose/diagnose.js';
import type { GdmDiscovery } from '../../src/probes/gdm.js';
import type { HostFirewallReading } from '../../src/probes/host/firewall/index.js';
import type { ProbeResult } from '../../src/probes/types.js';
import { hostValue, natPmpValue, upnpValue } from '../../src/testing/observations.js';
import { startFakeHost, type FakeHost } from './fake-host.js';

export interface LatencySetup {
  options: DiagnoseOptions;
  fakes: FakeHost;
  close(): Promise<void>;
}

const after = <T>(ms: number, value: T): Promise<ProbeResult<T>> =>
  new Promise((resolve) => setTimeout(() => resolve({ status: 'ok', value, durationMs: ms }), ms));

const checkedAfter = <T>(ms: number, value: T): Promise<{ checked: true; value: T }> =>
  new Promise((resolve) => setTimeout(() => resolve({ checked: true, value }), ms));

const OPEN: HostFirewallReading['ipv4'] = { verdict: 'accepted', decidedBy: 'policy accept', tool: 'nft' };

/**
 * Probe overrides that each cost one round trip of `latencyMs` (the real TCP and /identity probes stay real). The
 * fakes listen on loopback, so the host-local collectors (listening sockets, firewall) would read THIS machine: its
 * firewall through subprocesses (seconds of CPU on a loaded VM) that a diagnosis of a remote server never pays. They
 * answer after one `latencyMs` too, as a local read that costs one step.
 */
export function routerProbes(latencyMs: number): Partial<ProbeSet> {
  const gdm: GdmDiscovery = { servers: [], targets: ['239.0.0.250:32414'], sendErrors: [], ignoredReplies: 0 };
  return {
    host: () => after(latencyMs, hostValue()),
    upnp: () => after(latencyMs, upnpValue()),
    natpmp: () => after(latencyMs, natPmpValue()),
    gdm: () => after(latencyMs, gdm),
    hostListen: (options) =>
      checkedAfter(latencyMs, {
        sockets: [{ address: '0.0.0.0', family: 4 as const, port: options?.port ?? 32400, scope: 'all' as const }],
        notes: [],
      }),
    hostFirewall: (options) =>
      checkedAfter(latencyMs, {
        port: options.port,
        ipv4: OPEN,
        ipv6: OPEN,
        sources: [{ tool: 'nft', status: 'read' }],
      }),
  };
}

/** The fakes run in a child process (see fake-host.ts); the options point at them. */
export async function startLatencySetup(options: {
  latencyMs: number;
  connections: number;
  extraConnections?: { host: string; port: number }[];
  collectorTimeoutMs?: number;
}): Promise<LatencySetup> {
  const fakes = await startFakeHost({
    latencyMs: options.latencyMs,
    servers: Math.max(1, options.connections),
    mode: 'connections',
    ...(options.extraConnections ? { extraConnections: options.extraConnections } : {}),
  });
  return {
    fakes,
    options: {
      url: fakes.urls[0]!,
      token: fakes.token,
      plexTv: { baseUrl: fakes.plexTvUrl },
      probes: routerProbes(options.latencyMs),
      collectorTimeoutMs: options.collectorTimeoutMs ?? 10_000,
    },
    close: () => fakes.close(),
  };
}
