/**
 * The probe set a scenario hands to `collect`. Whatever has a peer is probed for real against a loopback fake: TCP and
 * /identity of connections that lead to the server (per the network model) go to the fake Plex Media Server, the
 * UPnP probe reads the fake IGD over SSDP + SOAP, NAT-PMP asks the fake gateway, plex.direct names are resolved by
 * the fake DNS server, GDM asks the fake responder. Results are relabelled to the scenario's addresses. What has no
 * peer (a port the ISP drops, a router without UPnP, this host's interfaces) is a fact in the shape the real probe
 * would return.
 */
import type { ProbeSet } from '../../collect/services.js';
import { describeCode } from '../../http/network-error.js';
import { redactUrl } from '../../core/redact.js';
import { isIpAddress } from '../../core/net/address.js';
import { parsePlexDirectName } from '../../core/net/plex-direct.js';
import { probePlexDirectDns } from '../../probes/dns.js';
import { discoverGdm } from '../../probes/gdm.js';
import type { HostInfo } from '../../probes/host/index.js';
import { DEFAULT_IDENTITY_TIMEOUT_MS, identityUrl, probeIdentity } from '../../probes/identity/probe.js';
import { probeNatPmp } from '../../probes/natpmp/probe.js';
import { chooseRoute, type ResolvedVia } from '../../probes/identity/route.js';
import { DEFAULT_TCP_TIMEOUT_MS, probeTcp } from '../../probes/tcp.js';
import type { ProbeError, ProbeResult } from '../../probes/types.js';
import { probeUpnp } from '../../probes/upnp/probe.js';
import type { FakeDnsServer } from '../fake-dns.js';
import type { FakeGdm } from '../fake-gdm.js';
import type { FakeIgd } from '../fake-igd/index.js';
import type { FakeNatPmp } from '../fake-natpmp.js';
import { HOME } from '../observations.js';
import { NATPMP_PORT, type NetworkModel, type Reach } from './network-model.js';
import { relabelResult } from './relabel.js';

/** The real peers a scenario runs, and the facts for what it cannot run. */
export interface ScenarioPeers {
  model: NetworkModel;
  /** Where the fake Plex Media Server really listens. */
  server: { host: string; port: number };
  dns: FakeDnsServer;
  gdm: FakeGdm;
  /** Absent: the router has no UPnP IGD. */
  igd?: FakeIgd;
  /** Absent: the router does not answer NAT-PMP. */
  natPmp?: FakeNatPmp;
  host: HostInfo;
}

const SSDP_ADDRESS = '239.255.255.250:1900';
const GDM_TARGETS = ['239.0.0.250:32414', '255.255.255.255:32414'];
/** Listening windows of the loopback fakes: they answer at once, so the real probes need not wait their defaults. */
const DISCOVERY_WINDOW_MS = 1000;
const GDM_WINDOW_MS = 300;

const failure = <T>(error: ProbeError, durationMs = 1): ProbeResult<T> => ({ status: 'failed', error, durationMs });
const hostPort = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** How a connection that does not reach the server ends, in the words the real TCP probe uses. */
function tcpFailure<T>(
  reach: Exclude<Reach, { kind: 'server' }>,
  host: string,
  port: number,
  timeoutMs: number,
): ProbeResult<T> {
  if (reach.kind === 'no-name')
    return failure({ phase: 'dns', code: 'ENOTFOUND', message: `${host}: ${describeCode('ENOTFOUND')} (ENOTFOUND)` });
  if (reach.kind === 'refused')
    return failure({
      phase: 'connect',
      code: 'ECONNREFUSED',
      message: `${hostPort(host, port)}: ${describeCode('ECONNREFUSED')} (ECONNREFUSED)`,
    });
  // A dropped SYN ends at the probe's deadline: the real probe's timeout result, and as long.
  return failure({ phase: 'timeout', code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }, timeoutMs);
}

/** The same for /identity, in the words the real identity probe uses. */
function identityFailure<T>(reach: Exclude<Reach, { kind: 'server' }>, url: URL, timeoutMs: number): ProbeResult<T> {
  const where = redactUrl(url.href);
  if (reach.kind === 'no-name')
    return failure({ phase: 'dns', code: 'ENOTFOUND', message: `${url.hostname}: name did not resolve (ENOTFOUND)` });
  if (reach.kind === 'refused')
    return failure({
      phase: 'connect',
      code: 'ECONNREFUSED',
      message: `${where}: connect failed: ${describeCode('ECONNREFUSED')}`,
    });
  return failure({ phase: 'timeout', code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }, timeoutMs);
}

interface Dialled {
  address?: string;
  resolvedVia: ResolvedVia;
  dnsError?: string;
}

export function createScenarioProbes(peers: ScenarioPeers): ProbeSet {
  const { model, server, dns } = peers;
  const serverEndpoint = hostPort(server.host, server.port);

  /** Resolves a URL host like a client on this LAN: plex.direct names through the scenario's resolver (for real). */
  async function dial(hostname: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<Dialled> {
    if (isIpAddress(hostname)) return { address: hostname, resolvedVia: 'literal' };
    if (parsePlexDirectName(hostname)) {
      const route = await chooseRoute(hostname, {
        dnsServers: [dns.address],
        timeoutMs,
        signal: signal ?? new AbortController().signal,
      });
      return {
        address: route.addresses?.[0]?.address,
        resolvedVia: route.resolvedVia,
        ...(route.dnsError ? { dnsError: route.dnsError } : {}),
      };
    }
    const address = model.resolveName(hostname);
    return { ...(address ? { address } : {}), resolvedVia: 'dns' };
  }

  const tcp: ProbeSet['tcp'] = async (host, port, options = {}) => {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const address = isIpAddress(bare) ? bare : model.resolveName(bare);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TCP_TIMEOUT_MS;
    if (!address) return tcpFailure({ kind: 'no-name' }, bare, port, timeoutMs);
    const reach = model.reachFromLan(address, port);
    if (reach.kind !== 'server') return tcpFailure(reach, address, port, timeoutMs);
    const result = await probeTcp(server.host, server.port, options);
    return relabelResult(result, [[serverEndpoint, hostPort(address, port)]], (value) => ({ ...value, address, port }));
  };

  const identity: ProbeSet['identity'] = async (uri, options = {}) => {
    let url: URL;
    try {
      url = identityUrl(uri);
    } catch {
      return probeIdentity(uri, options); // the real probe words the refusal of a non-URL
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_IDENTITY_TIMEOUT_MS;
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    let dialled: Dialled;
    try {
      dialled = await dial(hostname, timeoutMs, options.signal);
    } catch (error) {
      const detail = (error as { detail?: ProbeError }).detail;
      return failure(detail ?? { phase: 'dns', code: 'EUNKNOWN', message: String(error) });
    }
    if (!dialled.address) return identityFailure({ kind: 'no-name' }, url, timeoutMs);
    const reach = model.reachFromLan(dialled.address, port);
    if (reach.kind !== 'server') return identityFailure(reach, url, timeoutMs);
    // The fake speaks plain HTTP, so an https URI is answered without TLS: the value carries no `tls` details.
    const result = await probeIdentity(`http://${serverEndpoint}`, options);
    const address = dialled.address;
    return relabelResult(
      result,
      [
        [`http://${serverEndpoint}/identity`, redactUrl(url.href)],
        [serverEndpoint, hostPort(address, port)],
      ],
      (value) => {
        const { dnsError: _dnsError, ...rest } = value;
        return {
          ...rest,
          url: redactUrl(url.href),
          connectedAddress: address,
          resolvedVia: dialled.resolvedVia,
          ...(dialled.dnsError ? { dnsError: dialled.dnsError } : {}),
        };
      },
    );
  };

  const plexDirectDns: ProbeSet['plexDirectDns'] = async (hostname, options = {}) => {
    // The fake resolver stands in for this host's system resolver (usually the router's DNS forwarder).
    const result = await probePlexDirectDns(hostname, {
      ...options,
      useSystemResolver: false,
      resolvers: [dns.address, ...(options.resolvers ?? [])],
    });
    return relabelResult(result, [[dns.address, 'system']]);
  };

  const upnp: ProbeSet['upnp'] = async (options = {}) => {
    const igd = peers.igd;
    if (!igd) {
      return failure(
        {
          phase: 'timeout',
          code: 'ENOIGD',
          message: `no UPnP IGD answered the SSDP search to ${SSDP_ADDRESS} in time: UPnP is off on the router, or multicast does not reach it`,
        },
        3000,
      );
    }
    const { location: _location, ...rest } = options;
    const result = await probeUpnp({
      ...rest,
      ssdpAddress: igd.ssdpAddress,
      discoveryTimeoutMs: Math.min(DISCOVERY_WINDOW_MS, options.timeoutMs ?? DISCOVERY_WINDOW_MS),
    });
    // The description and control URLs keep the fake's loopback address on purpose: the alternate-port experiment
    // dials `controlUrl`, and a relabelled http://192.168.1.1:5000 would send its AddPortMapping to a real router.
    return relabelResult(result, [[igd.ssdpAddress, SSDP_ADDRESS]], (value) => ({
      ...value,
      ...(value.ssdpFrom ? { ssdpFrom: HOME.router } : {}),
    }));
  };

  const natpmp: ProbeSet['natpmp'] = async (options = {}) => {
    const gateway = peers.natPmp;
    const where = hostPort(HOME.router, NATPMP_PORT);
    if (!gateway) {
      return failure({
        phase: 'connect',
        code: 'ECONNREFUSED',
        message: `${where}: nothing listens on UDP ${NATPMP_PORT} (ICMP port unreachable): NAT-PMP is off on the gateway`,
      });
    }
    const result = await probeNatPmp({ ...options, gateway: gateway.host, port: gateway.port });
    return relabelResult(result, [[hostPort(gateway.host, gateway.port), where]], (value) => ({
      ...value,
      gateway: HOME.router,
      port: NATPMP_PORT,
    }));
  };

  const gdm: ProbeSet['gdm'] = async (options = {}) => {
    const fake = peers.gdm;
    const result = await discoverGdm({
      ...options,
      timeoutMs: Math.min(GDM_WINDOW_MS, options.timeoutMs ?? GDM_WINDOW_MS),
      targets: [{ address: fake.host, port: fake.port }],
    });
    // Replies come from the server's LAN address; the search went to the standard multicast and broadcast targets.
    return relabelResult(result, [[hostPort(fake.host, fake.port), GDM_TARGETS[0]!]], (value) => ({
      ...value,
      targets: GDM_TARGETS,
      servers: value.servers.map((s) => ({ ...s, address: model.lan.address, addresses: [model.lan.address] })),
    }));
  };

  const host: ProbeSet['host'] = () => Promise.resolve({ status: 'ok', value: peers.host, durationMs: 1 });

  // A scenario models the home network only: no machine outside it to check from (lab scenarios will add one).
  const outside: ProbeSet['outside'] = () =>
    Promise.resolve({
      status: 'failed',
      error: { phase: 'connect', code: 'ENOVANTAGE', message: 'this scenario has no outside vantage' },
      durationMs: 0,
    });

  // A scenario's server is never in a pod: this machine's own env and mount must not leak into it.
  const kubernetes: ProbeSet['kubernetes'] = () =>
    Promise.resolve({ status: 'ok', value: { environment: { inPod: false, detectedBy: [] } }, durationMs: 0 });
  // A scenario models the network, not the machine the tests run on: its sockets and firewall are not the server's.
  const notThisHost = { checked: false as const, reason: 'a scenario models the network, not this host' };
  const hostListen: ProbeSet['hostListen'] = () => Promise.resolve(notThisHost);
  const hostFirewall: ProbeSet['hostFirewall'] = () => Promise.resolve(notThisHost);

  return { tcp, identity, plexDirectDns, upnp, natpmp, gdm, host, hostListen, hostFirewall, outside, kubernetes };
}
