/**
 * The daemons and fakes a scenario runs: the fake plex.tv and the plex.direct DNS stand-in on the "internet", the
 * router's UPnP (miniupnpd or the consumer IGD wrapper) and resolver (dnsmasq), and the fake Plex Media Server on the
 * LAN (or in the container). Runner scripts import the BUILT package, so the lab runs the code users get.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePlexDirectCertificate } from './certificates.js';
import { IGD_CHAIN } from './nft.js';
import { LAB_BIN } from './paths.js';
import type { LabProcess, SpawnOptions } from './processes.js';
import { LAB_ADDRESSES as A, type LabAddresses, type LabRole, type NormalizedScenario } from './scenario.js';

/** What the services need from the lab. */
export interface ServiceHost {
  readonly dir: string;
  readonly token: string;
  spawn(role: LabRole, name: string, argv: readonly string[], options?: SpawnOptions): LabProcess;
  waitForPort(
    role: LabRole,
    ip: string,
    port: number,
    options?: { protocol?: 'tcp' | 'udp'; timeoutMs?: number },
  ): Promise<void>;
  waitForReady(proc: LabProcess, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** The fake Plex Media Server as the lab started it. */
export interface LabPlexServer {
  /** Where LAN clients reach it: http://192.168.1.10:32400 (through the Docker DNAT in the container scenario). */
  url: string;
  machineIdentifier: string;
  role: LabRole;
  /** The ready report of the runner: mapping state and public address after the first publish. */
  startup: Record<string, unknown>;
  /** The hash of its `*.<hash>.plex.direct` certificate, when it has one (the default). */
  certificateHash?: string;
  /** The lab CA that signed that certificate: give it to clients as NODE_EXTRA_CA_CERTS. */
  caFile?: string;
}

const runner = (script: string, config: Record<string, unknown>): string[] => [
  'node',
  join(LAB_BIN, script),
  JSON.stringify(config),
];
const READY_TIMEOUT_MS = 15_000;

function miniupnpdConfig(scenario: NormalizedScenario, dir: string): string {
  const yes = (value: boolean): string => (value ? 'yes' : 'no');
  return [
    'ext_ifname=wan0',
    'listening_ip=lan0',
    'http_port=5000',
    'enable_upnp=yes',
    `enable_natpmp=${yes(scenario.router.natpmp)}`,
    `secure_mode=${yes(scenario.router.upnpSecureMode)}`,
    'ipv6_disable=yes',
    'system_uptime=yes',
    // Per lab: two labs must not share a lease file (docs/reference/netlab.md "Scenario 6").
    `lease_file=${join(dir, 'upnp.leases')}`,
    `uuid=${randomUUID()}`,
    ...(scenario.router.upnpExternalIp ? [`ext_ip=${scenario.router.upnpExternalIp}`] : []),
    'allow 1024-65535 192.168.1.0/24 1024-65535',
    'deny 0-65535 0.0.0.0/0 0-65535',
    '',
  ].join('\n');
}

/** Starts everything but the Plex server, in parallel, and waits until each serves. */
export async function startInfrastructure(
  host: ServiceHost,
  scenario: NormalizedScenario,
  addresses: LabAddresses,
): Promise<void> {
  const waits: Promise<unknown>[] = [];
  if (scenario.plexTv) {
    const config = {
      dir: host.dir,
      host: A.plexTv,
      port: 80,
      connectBackTimeoutMs: scenario.plexTv.connectBackTimeoutMs,
    };
    const proc = host.spawn('inet', 'fake-plex-tv', runner('fake-plex-tv.mjs', config), {
      env: { PD_LAB_TOKEN: host.token },
    });
    waits.push(host.waitForReady(proc, READY_TIMEOUT_MS));
  }
  if (scenario.dns !== 'none') {
    // dnsmasq cannot compute plex.direct answers from the label: it forwards the zone to the project's stand-in.
    const dns = host.spawn(
      'inet',
      'fake-dns',
      runner('fake-dns.mjs', { dir: host.dir, host: A.plexDirectDns, port: 53 }),
    );
    waits.push(host.waitForReady(dns, READY_TIMEOUT_MS));
    const dnsmasq = [
      'dnsmasq',
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--cache-size=0',
      `--pid-file=${join(host.dir, 'dnsmasq.pid')}`,
      `--user=${userInfo().username}`,
      `--listen-address=${A.routerLan}`,
      '--bind-interfaces',
      `--server=/plex.direct/${A.plexDirectDns}`,
      '--log-facility=-',
      '--log-queries',
      // Measured with dnsmasq 2.90: private answers become NOERROR with no records (docs/reference/netlab.md addendum).
      ...(scenario.dns === 'rebind-protect' ? ['--stop-dns-rebind'] : []),
    ];
    host.spawn('rtr', 'dnsmasq', dnsmasq);
    waits.push(host.waitForPort('rtr', A.routerLan, 53, { protocol: 'udp' }));
  }
  if (scenario.router.upnp === 'miniupnpd') {
    const conf = join(host.dir, 'miniupnpd.conf');
    await writeFile(conf, miniupnpdConfig(scenario, host.dir));
    // -d: foreground, so the tracked PID is the daemon; -P: per-lab pidfile (the default one makes a 2nd lab refuse to start).
    host.spawn('rtr', 'miniupnpd', ['miniupnpd', '-f', conf, '-P', join(host.dir, 'miniupnpd.pid'), '-d']);
    waits.push(
      host.waitForPort('rtr', A.routerLan, 5000),
      host.waitForPort('rtr', A.routerLan, 1900, { protocol: 'udp' }),
    );
  } else if (scenario.router.upnp === 'consumer-igd') {
    const config = {
      dir: host.dir,
      lanAddress: A.routerLan,
      wanInterface: 'wan0',
      chain: IGD_CHAIN,
      externalIp: addresses.routerWanIp,
      secureMode: scenario.router.upnpSecureMode,
    };
    const igd = host.spawn('rtr', 'consumer-igd', runner('consumer-igd.mjs', config));
    waits.push(host.waitForReady(igd, READY_TIMEOUT_MS));
  }
  await Promise.all(waits);
}

/** Starts the fake PMS (after plex.tv and the IGD, which its first publish and automatic mapping need). */
export async function startPlexServer(
  host: ServiceHost,
  scenario: NormalizedScenario,
  addresses: LabAddresses,
): Promise<LabPlexServer | undefined> {
  const plex = scenario.plex;
  if (!plex) return undefined;
  const role: LabRole = scenario.container ? 'ctr' : 'lan';
  const certificate = plex.certificateHash
    ? await makePlexDirectCertificate(host.dir, plex.certificateHash)
    : undefined;
  const config = {
    dir: host.dir,
    host: '0.0.0.0',
    port: 32400,
    // What a real PMS reports as its LAN address: in Docker bridge mode, the container's own
    // (docs/reference/plex-api.md, pms-docker).
    privateAddress: addresses.serverIp,
    plexTvUrl: scenario.plexTv ? `http://${A.plexTv}` : undefined,
    portMapping: plex.portMapping,
    manualPort: plex.manualPort,
    automaticExternalPort: plex.automaticExternalPort,
    upnpTimeoutMs: plex.upnpTimeoutMs,
    prefs: plex.prefs,
    friendlyName: plex.friendlyName,
    machineIdentifier: plex.machineIdentifier,
    claimed: plex.claimed,
    signedIn: plex.signedIn,
    certificateHash: plex.certificateHash || undefined,
    tls: certificate ? { certFile: certificate.certFile, keyFile: certificate.keyFile } : undefined,
    // `ipv6: true` labs: the global address it publishes and listens on while EnableIPv6 is on.
    ipv6Address: addresses.serverIpv6,
  };
  const proc = host.spawn(role, 'fake-pms', runner('fake-pms.mjs', config), { env: { PD_LAB_TOKEN: host.token } });
  const startup = await host.waitForReady(proc, READY_TIMEOUT_MS);
  return {
    url: `http://${addresses.serverLanIp}:32400`,
    machineIdentifier: String(startup.machineIdentifier),
    role,
    startup,
    ...(plex.certificateHash && certificate
      ? { certificateHash: plex.certificateHash, caFile: certificate.caFile }
      : {}),
  };
}
