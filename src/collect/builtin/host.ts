/**
 * Collectors for the server's own host: which address Plex's port listens on, and whether the host firewall lets an
 * inbound connection to it in. Both read this machine, so both run only when this machine is the server (the URL
 * is loopback or one of its own addresses); elsewhere they skip, saying so.
 */
import { classifyAddress } from '../../core/net/address.js';
import type { HostInfo } from '../../probes/host/index.js';
import { defineCollector, type CollectorContext } from '../define-collector.js';
import type { CollectServices } from '../services.js';
import { HostFirewallValue, HostListenValue } from '../values/host.js';
import { probeBudget } from './probe-value.js';

type Ctx = CollectorContext<CollectServices>;

/** Plex Media Server's default port (rules/facts.ts has its own: collect sits below rules). */
const DEFAULT_PLEX_PORT = 32400;

function targetOf(ctx: Ctx): { host: string; port: number } {
  const url = new URL(ctx.services.server.baseUrl);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** Skips unless this machine is the server: the URL is loopback or one of this host's addresses. */
function requireServerHost(ctx: Ctx): { host: HostInfo | undefined; target: { host: string; port: number } } {
  const target = targetOf(ctx);
  const host = ctx.get('probe.host');
  if (target.host === 'localhost' || classifyAddress(target.host) === 'loopback') return { host, target };
  if (!host) ctx.skip("this host's addresses could not be read, so whether it is the server is unknown");
  if (!host.interfaces.some((i) => i.addresses.some((a) => a.address === target.host)))
    ctx.skip(
      `the server (${target.host}) is not this host: its sockets and firewall are read only on the server itself`,
    );
  return { host, target };
}

/** Plex's own port: the private port it reports, else the URL's (unless 80/443, a proxy's), else 32400. */
function plexPort(ctx: Ctx, target: { port: number }): { port: number; source: string } {
  const privatePort = ctx.get('server.account')?.privatePort;
  if (privatePort) return { port: privatePort, source: 'server.account privatePort' };
  if (target.port !== 80 && target.port !== 443) return { port: target.port, source: 'the URL you gave' };
  return { port: DEFAULT_PLEX_PORT, source: "Plex's default" };
}

export const hostListenCollector = defineCollector({
  id: 'host.listen',
  title: "Plex's listening address on this host",
  after: ['probe.host', 'server.account'],
  schema: HostListenValue,
  async collect(ctx: Ctx) {
    const { target } = requireServerHost(ctx);
    const { port, source } = plexPort(ctx, target);
    const result = await ctx.services.probes.hostListen({ port, signal: ctx.signal });
    if (!result.checked) ctx.skip(result.reason);
    return {
      port,
      portSource: source,
      sockets: result.value.sockets.filter((socket) => socket.port === port),
      notes: result.value.notes,
    };
  },
});

export const hostFirewallCollector = defineCollector({
  id: 'host.firewall',
  title: "This host's firewall for Plex's port",
  after: ['probe.host', 'server.account'],
  timeoutMs: 8000,
  schema: HostFirewallValue,
  async collect(ctx: Ctx) {
    const { host, target } = requireServerHost(ctx);
    const { port } = plexPort(ctx, target);
    // Traffic from the router arrives on the interface holding the server's address, else the default route's.
    const holding = host?.interfaces.find((i) => i.addresses.some((a) => a.address === target.host && !a.internal));
    const inInterface = holding?.name ?? host?.defaultRoutes.find((r) => r.family === 4)?.interface;
    const result = await ctx.services.probes.hostFirewall({
      port,
      ...(inInterface ? { inInterface } : {}),
      timeoutMs: Math.min(3000, probeBudget(ctx.timeoutMs)),
      signal: ctx.signal,
    });
    if (!result.checked) ctx.skip(result.reason);
    return result.value;
  },
});
