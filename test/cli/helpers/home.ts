/**
 * A home network made of the real fakes from src/testing, for the CLI running in another process: a fake Plex Media
 * Server that publishes itself to a fake plex.tv, a fake router (UPnP IGD with a live mapping table, NAT-PMP), a fake
 * resolver and a fake GDM responder, all on loopback. The scenario presets cannot be handed to a subprocess (their
 * network facts are in-process probe functions), so this wires the same fakes to the CLI's own flags instead:
 * `--url`, `--plextv-url`, `--upnp-location`, `--natpmp-gateway`, `--resolver`, `--gdm-target`.
 *
 * Reachability from the internet is modelled here: a public port is reachable when the router maps it to the server
 * and the ISP does not filter it. plex.tv sees the home at `publicAddress` (the router's WAN address by default).
 */
import { randomBytes } from 'node:crypto';
import { createIgdClient } from '../../../src/probes/upnp/client.js';
import { KNOWN_TOKENS } from './run-cli.js';
import {
  startFakeDnsServer,
  startFakeGdm,
  startFakeIgd,
  startFakeNatPmp,
  startFakePlexServer,
  startFakePlexTv,
  type FakeDnsServer,
  type FakeGdm,
  type FakeIgd,
  type FakeMapping,
  type FakeNatPmp,
  type FakePlexServer,
  type FakePlexServerOptions,
  type FakePlexTv,
  type FakePlexTvOptions,
} from '../../../src/testing/index.js';
import { startPublishProxy } from '../../../src/testing/scenarios/publish-proxy.js';
import type { FakeDnsMode } from '../../../src/testing/fake-dns.js';

export const WAN = '84.1.1.2';
/** The server's LAN address as it reports it (the fake listens on loopback; the CLI reaches it there, on its host). */
export const SERVER_LAN = '192.168.1.10';
/** Fixed, so the alternate port the rules suggest (derived from it) is the same in every run. */
export const MACHINE_ID = 'c0ffee0000c0ffee0000c0ffee0000c0ffee0000';
/** The hash of the server's `*.<hash>.plex.direct` certificate (every current server has one). */
export const CERT_HASH = '5d2ac1b1a9b14c3bb0c7e7d9f5c0ffee';

export interface HomeOptions {
  /** Pref overrides for the fake server. @default automatic mapping (ManualPortMappingMode off) */
  prefs?: FakePlexServerOptions['prefs'];
  claimed?: boolean;
  /** Inbound ports the ISP drops; 'all' for every port (a filter in front of the router, not of one port). @default [] */
  ispBlockedPorts?: number[] | 'all';
  /**
   * Forwards on the router before the server starts, by external port, to the server. 'none': nothing (and Plex's
   * own UPnP request is refused). @default [] with Plex mapping 32400 itself over UPnP
   */
  forwards?: number[] | 'none';
  /** @default WAN */
  routerWan?: string;
  /** Options for the fake plex.tv (pins). @default {} */
  plexTv?: Omit<FakePlexTvOptions, 'tokens' | 'publicAddressOverride'>;
  /**
   * plex.tv lists the server's plex.direct names (as for every real server with Plex's certificate). Off by default:
   * the DNS probe then also asks this machine's own resolver about them, whose answer differs between machines.
   * @default false
   */
  plexDirect?: boolean;
  /** What the LAN's resolver (`--resolver`) does to plex.direct answers. @default 'plex-direct' */
  dns?: FakeDnsMode;
  /** The fake server's port (docs/cli.md's examples use Plex's own 32400). @default 0 (an ephemeral port) */
  serverPort?: number;
  /** Also announce the server over GDM. @default true */
  gdm?: boolean;
}

export interface Home {
  /** A distinctive token: tests assert it never shows up in any output. */
  readonly token: string;
  readonly server: FakePlexServer;
  readonly plexTv: FakePlexTv;
  readonly igd: FakeIgd;
  readonly natPmp: FakeNatPmp;
  readonly dns: FakeDnsServer;
  readonly gdm: FakeGdm;
  /** What the ISP drops inbound; change it and the next reachability check follows. */
  readonly isp: { blocksAll: boolean; blockedPorts: Set<number> };
  /**
   * The flags that point the CLI at this home (no token: tests choose how to pass it). `plexTv: false` leaves out
   * --plextv-url, for runs with --no-plextv (the two together are a usage error).
   */
  args(extra?: readonly string[], options?: { plexTv?: boolean }): string[];
  /** The network flags only (for runs that discover the server themselves). */
  networkArgs(options?: { plexTv?: boolean }): string[];
  close(): Promise<void>;
}

/** A token no output could contain by chance; every run of the CLI is checked for it (KNOWN_TOKENS). */
export function distinctiveToken(): string {
  const token = `SECRET-TOKEN-${randomBytes(9).toString('hex')}`;
  KNOWN_TOKENS.add(token);
  return token;
}

export async function startHome(options: HomeOptions = {}): Promise<Home> {
  const token = distinctiveToken();
  const closers: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(closers.reverse().map((c) => c()));
    closers.length = 0;
  };
  try {
    const isp = {
      blocksAll: options.ispBlockedPorts === 'all',
      blockedPorts: new Set(Array.isArray(options.ispBlockedPorts) ? options.ispBlockedPorts : []),
    };
    const wan = options.routerWan ?? WAN;
    let serverPort = 0;
    const forward = (externalPort: number): FakeMapping => ({
      remoteHost: '',
      externalPort,
      protocol: 'TCP',
      internalPort: serverPort,
      internalClient: SERVER_LAN,
      enabled: true,
      description: 'Plex Media Server',
      leaseSeconds: 0,
    });
    const igd = await startFakeIgd({
      externalIp: wan,
      friendlyName: 'Home router',
      ...(options.forwards === 'none' ? { failActions: { AddPortMapping: 718 } } : {}),
    });
    closers.push(() => igd.close());
    const natPmp = await startFakeNatPmp({ externalIp: wan });
    closers.push(() => natPmp.close());
    const dns = await startFakeDnsServer({ mode: options.dns ?? 'plex-direct' });
    closers.push(() => dns.close());
    const plexTv = await startFakePlexTv({ ...options.plexTv, tokens: [token], publicAddressOverride: WAN });
    closers.push(() => plexTv.close());
    // The fake PMS does not send a certificate hash when it publishes; this proxy adds it, so plex.tv lists plex.direct names.
    const proxy = options.plexDirect ? await startPublishProxy(plexTv.url, CERT_HASH) : undefined;
    if (proxy) closers.push(() => proxy.close());

    const igdClient = createIgdClient(
      { serviceType: igd.serviceType, controlUrl: igd.controlUrl },
      { timeoutMs: 2000 },
    );
    const server = await startFakePlexServer({
      token,
      ...(options.serverPort ? { port: options.serverPort } : {}),
      machineIdentifier: MACHINE_ID,
      friendlyName: 'Basement',
      prefs: { ManualPortMappingMode: false, ...options.prefs },
      ...(options.claimed === false ? { claimed: false } : {}),
      account: { privateAddress: SERVER_LAN },
      plexTv: { url: proxy?.url ?? plexTv.url },
      plexTvTimeoutMs: 2000,
      // plex.tv's connect-back, modelled: the router must map the port to the server and the ISP must let it through.
      reachability: async (port) => {
        const mapped = igd
          .mappings()
          .some((m) => m.enabled && m.protocol === 'TCP' && m.externalPort === port && m.internalPort === serverPort);
        if (mapped && !isp.blocksAll && !isp.blockedPorts.has(port)) return { reachable: true };
        return { reachable: false, error: `connect ETIMEDOUT ${WAN}:${port}` };
      },
      // Plex's automatic mapping: a real AddPortMapping to the fake router (which refuses it with forwards: 'none').
      automaticMapping: async (privatePort) => {
        const result = await igdClient.addPortMapping({
          externalPort: 32400,
          internalPort: privatePort,
          internalClient: SERVER_LAN,
          protocol: 'TCP',
          description: 'Plex Media Server',
          leaseSeconds: 0,
        });
        return result.status === 'ok' ? { externalPort: 32400 } : undefined;
      },
      // The router's forwards must exist before the first publish: the server port is only known once it listens,
      // so the fake publishes on start with none, and again below.
    });
    closers.push(() => server.close());
    serverPort = server.port;
    if (Array.isArray(options.forwards)) igd.state.mappings.push(...options.forwards.map(forward));
    await server.publish();

    const gdm = await startFakeGdm({
      servers:
        options.gdm === false
          ? []
          : [
              {
                machineIdentifier: server.machineIdentifier,
                name: 'Basement',
                port: server.port,
                version: server.state.version,
              },
            ],
    });
    closers.push(() => gdm.close());

    const networkArgs = (args: { plexTv?: boolean } = {}): string[] => [
      ...(args.plexTv === false ? [] : ['--plextv-url', plexTv.url]),
      '--upnp-location',
      igd.location,
      '--natpmp-gateway',
      `127.0.0.1:${natPmp.port}`,
      '--resolver',
      dns.address,
      '--timeout',
      '2s',
    ];
    return {
      token,
      server,
      plexTv,
      igd,
      natPmp,
      dns,
      gdm,
      isp,
      networkArgs,
      args: (extra = [], args = {}) => ['--url', server.url, ...networkArgs(args), ...extra],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
