/**
 * isp-blocks-port's proof from outside: a reflector at a public address found Plex's public port FILTERED (no answer)
 * on the address it saw, while another port through the same router (the same source address) was open; the router
 * holds the forward of Plex's port to the server (its UPnP table, or the forward you stated); and the router's WAN
 * address is public and is the address the reflector tested. Then nothing between the router and the server is in
 * question, the router passes the internet, and the one port is dropped upstream: high confidence.
 * A refused port is not an upstream filter's signature (filters drop); a reflector that tested another address (a
 * second WAN, a VPN) or looked from inside (hairpin, LAN) proves nothing here: outsideView refuses those.
 */
import type { Evidence } from '../../core/finding.js';
import type { ReportDescriptor } from '../types.js';
import {
  publicPort,
  routerMappingsFor,
  routerWan,
  seesServersRouter,
  serverLanEndpoint,
  suggestedAlternatePort,
  type FactsContext,
} from '../facts.js';
import { describePort, outsideView, plexPort } from '../outside-evidence.js';

/** The forward of `port` to the server, as the router lists it or as the user stated it. */
function heldForward(ctx: FactsContext, port: number): Evidence | undefined {
  const server = serverLanEndpoint(ctx);
  if (seesServersRouter(ctx)) {
    const mapping = routerMappingsFor(ctx, port).find(
      (m) => m.enabled && (!server.address || m.internalClient === server.address) && m.internalPort === server.port,
    );
    if (mapping)
      return {
        source: 'router (UPnP)',
        observed: `forward TCP ${port} → ${mapping.internalClient}:${mapping.internalPort} "${mapping.description}"`,
      };
  }
  const stated = (ctx.get('declared.forwards')?.forwards ?? []).find(
    (f) => f.externalPort === port && (!server.address || f.host === server.address),
  );
  return stated
    ? {
        source: 'declared.forwards',
        observed: `forward ${port} → ${stated.host}:${stated.internalPort}`,
        declared: true,
      }
    : undefined;
}

export function reflectorProof(
  ctx: FactsContext,
): ReportDescriptor<'provenByReflector', 'tryAlternatePort'> | undefined {
  const view = outsideView(ctx);
  if (view.kind !== 'ok') return undefined;
  const plex = plexPort(view.value);
  if (plex?.tcp.state !== 'filtered') return undefined;
  const open = view.value.ports.find((p) => p.port !== plex.port && p.tcp.state === 'open');
  if (!open) return undefined;
  const wan = routerWan(ctx);
  const source = view.value.sourceSeen.address;
  if (wan.status !== 'ok' || wan.addressClass !== 'public' || wan.address !== source) return undefined;
  if (publicPort(ctx).port !== plex.port) return undefined;
  const forward = heldForward(ctx, plex.port);
  if (!forward) return undefined;
  const server = serverLanEndpoint(ctx);
  const where = { server: server.address ?? 'the server', serverPort: server.port };
  return {
    messageId: 'provenByReflector',
    data: { port: plex.port, wan: source, openPort: open.port, ...where },
    evidence: [
      view.source,
      { source: 'probe.outside', observed: describePort(plex), expected: 'open' },
      { source: 'probe.outside', observed: `${describePort(open)}: the same router passes the internet` },
      {
        source: `router (${wan.source})`,
        observed: `WAN address ${wan.address}`,
        expected: `the tested address ${source}`,
      },
      forward,
    ],
    confidence: 'high',
    fix: { fixId: 'tryAlternatePort', data: { port: plex.port, altPort: suggestedAlternatePort(ctx), ...where } },
  };
}
