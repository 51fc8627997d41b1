/**
 * Probes of every connection the server advertises (and every custom access URL): TCP and /identity over HTTP/TLS,
 * and the plex.direct DNS answer for each plex.direct name. From inside the LAN, a remote connection may fail only
 * because the router does not loop back (natLoopbackSupported): rules weigh that, this just records.
 */
import { classifyConnection } from '../../clients/plextv/connections.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { ConnectionsValue, PlexDirectDnsCollection, type ProbedConnection } from '../values/connections.js';
import { probeBudget } from './probe-value.js';

type Ctx = CollectorContext<CollectServices>;

const MAX_CONNECTIONS = 24;

interface Candidate {
  uri: string;
  address: string;
  port?: number;
  protocol?: string;
  local: boolean;
  relay: boolean;
  source: ProbedConnection['source'];
}

function candidates(ctx: Ctx): Candidate[] {
  const server = ctx.get('plextv.resources')?.server;
  const list: Candidate[] = (server?.connections ?? []).map((c) => ({ ...c, source: 'plex.tv' as const }));
  for (const uri of ctx.get('server.prefs')?.network.customConnections ?? []) {
    if (list.some((c) => c.uri.replace(/\/+$/, '') === uri.replace(/\/+$/, ''))) continue;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      continue; // the custom-URL rule reports unparsable entries from the prefs themselves
    }
    list.push({
      uri,
      address: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      local: false,
      relay: false,
      source: 'customConnections',
    });
  }
  return list.slice(0, MAX_CONNECTIONS);
}

function portOf(uri: string, fallback?: number): number {
  try {
    const url = new URL(uri);
    return url.port ? Number(url.port) : (fallback ?? (url.protocol === 'https:' ? 443 : 80));
  } catch {
    return fallback ?? 32400;
  }
}

async function probeOne(ctx: Ctx, candidate: Candidate): Promise<ProbedConnection> {
  const classified = classifyConnection(candidate);
  const port = portOf(candidate.uri, candidate.port);
  const record: ProbedConnection = {
    uri: candidate.uri,
    protocol: candidate.protocol ?? (candidate.uri.startsWith('https:') ? 'https' : 'http'),
    host: classified.host,
    port,
    kind: classified.kind,
    addressClass: classified.addressClass,
    address: candidate.address,
    local: candidate.local,
    relay: candidate.relay,
    source: candidate.source,
  };
  if (classified.kind === 'relay')
    return { ...record, notProbed: 'a Plex Relay connection: it belongs to Plex, not to your network' };
  const budget = probeBudget(ctx.timeoutMs);
  const options = { timeoutMs: Math.min(budget, 5000), signal: ctx.signal };
  // Dial the address the name encodes: whether DNS hands it out is the DNS probe's question, not this one's.
  const dialHost = classified.plexDirect?.address ?? classified.host;
  const expectedMachineIdentifier = ctx.get('server.identity')?.machineIdentifier;
  const [tcp, identity] = await Promise.all([
    ctx.services.probes.tcp(dialHost, port, options),
    ctx.services.probes.identity(candidate.uri, {
      ...options,
      ...(expectedMachineIdentifier ? { expectedMachineIdentifier } : {}),
    }),
  ]);
  return { ...record, tcp, identity };
}

export const probeConnectionsCollector = defineCollector({
  id: 'probe.connections',
  title: 'Advertised connections (TCP + /identity)',
  needs: ['plextv.resources'],
  after: ['server.identity', 'server.prefs'],
  schema: ConnectionsValue,
  async collect(ctx: Ctx): Promise<ConnectionsValue> {
    if (!ctx.get('plextv.resources')?.server)
      ctx.skip('plex.tv has no record of this server to read its connections from');
    return { connections: await Promise.all(candidates(ctx).map((c) => probeOne(ctx, c))) };
  },
});

export const probePlexDirectDnsCollector = defineCollector({
  id: 'probe.plexDirectDns',
  title: 'plex.direct DNS answers',
  needs: ['plextv.resources'],
  schema: PlexDirectDnsCollection,
  async collect(ctx: Ctx): Promise<PlexDirectDnsCollection> {
    const connections = ctx.get('plextv.resources')?.server?.connections ?? [];
    const hostnames = [
      ...new Set(
        connections
          .filter((c) => !c.relay)
          .map((c) => classifyConnection(c).plexDirect?.hostname)
          .filter((h): h is string => !!h),
      ),
    ];
    if (hostnames.length === 0) ctx.skip('the server advertises no plex.direct names');
    const resolvers = ctx.services.network.resolvers;
    const names = await Promise.all(
      hostnames.map(async (hostname) => ({
        hostname,
        result: await ctx.services.probes.plexDirectDns(hostname, {
          timeoutMs: probeBudget(ctx.timeoutMs),
          signal: ctx.signal,
          ...(resolvers?.length ? { resolvers } : {}),
        }),
      })),
    );
    return { names };
  },
});
