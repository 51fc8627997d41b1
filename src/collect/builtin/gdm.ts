/**
 * GDM discovery as a collector. It listens for its window, but stops once the diagnosed server answered: the only
 * answers still to come are other servers', which no rule waits for. The server is known without a round trip, from
 * the URL being diagnosed (the address it answers GDM from and its port); its identity (`server.identity`, read if it
 * has arrived, never awaited) only vetoes a reply from that address naming another server.
 */
import { networkInterfaces } from 'node:os';
import { DEFAULT_GDM_TIMEOUT_MS, GdmDiscovery, type GdmStopWhen } from '../../probes/gdm.js';
import { parseHostPort } from '../../probes/udp.js';
import { classifyAddress, ipFamily } from '../../core/net/address.js';
import { UsageError } from '../../core/errors.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { probeBudget, unwrapProbe } from './probe-value.js';

/** This host's own IPv4 addresses: a server on this host answers the broadcast from its LAN address, not 127.0.0.1. */
function ownIpv4Addresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((entry) => entry?.family === 'IPv4')
    .map((entry) => entry.address);
}

/**
 * The diagnosed server as GDM would see it, from its URL: an IPv4 literal (GDM is IPv4), or this host for a loopback
 * URL. A host name gives no address without a lookup: then undefined, and the window runs its course.
 */
export function gdmStopWhenFor(baseUrl: string, machineIdentifier: () => string | undefined): GdmStopWhen | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const loopback = host === 'localhost' || classifyAddress(host) === 'loopback';
  if (!loopback && ipFamily(host) !== 4) return undefined;
  const addresses = loopback ? [...new Set([...(ipFamily(host) === 4 ? [host] : []), ...ownIpv4Addresses()])] : [host];
  return { addresses, port, machineIdentifier };
}

export const probeGdmCollector = defineCollector({
  id: 'probe.gdm',
  title: 'Local discovery (GDM)',
  schema: GdmDiscovery,
  async collect(ctx: CollectorContext<CollectServices>) {
    const targets = ctx.services.network.gdmTargets?.map((text) => {
      const parsed = parseHostPort(text, 32414);
      if (!parsed) throw new UsageError(`--gdm-target "${text}" is not host:port`);
      return parsed;
    });
    // Read live at each reply, never awaited: /identity and GDM run side by side.
    const stopWhen = gdmStopWhenFor(ctx.services.server.baseUrl, () => ctx.get('server.identity')?.machineIdentifier);
    return unwrapProbe(
      await ctx.services.probes.gdm({
        timeoutMs: Math.min(DEFAULT_GDM_TIMEOUT_MS, probeBudget(ctx.timeoutMs)),
        signal: ctx.signal,
        ...(targets ? { targets } : {}),
        ...(stopWhen ? { stopWhen } : {}),
      }),
    );
  },
});
