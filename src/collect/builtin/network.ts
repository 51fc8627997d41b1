/** Collectors over the local network: this host, the router (UPnP IGD, NAT-PMP) and GDM discovery. */
import { HostInfo } from '../../probes/host/index.js';
import { NatPmpValue } from '../../probes/natpmp/probe.js';
import { parseHostPort } from '../../probes/udp.js';
import { TcpProbeValue } from '../../probes/tcp.js';
import { UpnpProbeValue } from '../../probes/upnp/schema.js';
import { UsageError } from '../../core/errors.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { probeBudget, unwrapProbe } from './probe-value.js';

type Ctx = CollectorContext<CollectServices>;
const base = (ctx: Ctx) => ({ timeoutMs: probeBudget(ctx.timeoutMs), signal: ctx.signal });

export const probeHostCollector = defineCollector({
  id: 'probe.host',
  title: 'This host (interfaces, routes, container, VPN)',
  schema: HostInfo,
  collect: async (ctx: Ctx) => unwrapProbe(await ctx.services.probes.host(base(ctx))),
});

export const probeUpnpCollector = defineCollector({
  id: 'probe.upnp',
  title: 'Router UPnP IGD (WAN address, port mappings)',
  timeoutMs: 12_000,
  schema: UpnpProbeValue,
  async collect(ctx: Ctx) {
    const { upnpLocation, ssdpAddress } = ctx.services.network;
    return unwrapProbe(
      await ctx.services.probes.upnp({
        ...base(ctx),
        ...(upnpLocation ? { location: upnpLocation } : {}),
        ...(ssdpAddress ? { ssdpAddress } : {}),
      }),
    );
  },
});

export const probeNatPmpCollector = defineCollector({
  id: 'probe.natpmp',
  title: 'Router NAT-PMP (WAN address)',
  schema: NatPmpValue,
  async collect(ctx: Ctx) {
    const gateway = ctx.services.network.natPmpGateway;
    const parsed = gateway === undefined ? undefined : parseHostPort(gateway, 5351);
    if (gateway !== undefined && !parsed) throw new UsageError(`--natpmp-gateway "${gateway}" is not host[:port]`);
    return unwrapProbe(
      await ctx.services.probes.natpmp({
        ...base(ctx),
        ...(parsed ? { gateway: parsed.address, port: parsed.port } : {}),
      }),
    );
  },
});

// GDM has a file of its own (it stops once the diagnosed server answered); exported here as before.
export { probeGdmCollector } from './gdm.js';

/**
 * A bare TCP connect to the URL the user gave, beside `/identity`: when the HTTP request times out, it tells "nothing
 * answers at that address" from "the port accepts connections but Plex does not answer" (starting, hung, or another
 * program on the port).
 */
export const probeTargetCollector = defineCollector({
  id: 'probe.target',
  title: 'TCP connect to the server URL',
  schema: TcpProbeValue,
  async collect(ctx: Ctx) {
    const url = new URL(ctx.services.server.baseUrl);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return unwrapProbe(await ctx.services.probes.tcp(url.hostname.replace(/^\[(.*)\]$/, '$1'), port, base(ctx)));
  },
});
