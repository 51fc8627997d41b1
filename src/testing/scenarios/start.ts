/**
 * startScenario: a real fake Plex Media Server and a real fake plex.tv on loopback (the server publishes itself, so
 * plex.tv's record comes from the real publish path), a fake router (UPnP IGD, NAT-PMP), resolver and GDM responder,
 * and the network model that decides what reaches what. Returns `options` ready for `diagnose(options)`.
 */
import { randomBytes } from 'node:crypto';
import type { DiagnoseOptions } from '../../diagnose/diagnose.js';
import { UsageError } from '../../core/errors.js';
import { createIgdClient } from '../../probes/upnp/client.js';
import { startFakeDnsServer } from '../fake-dns.js';
import { startFakeGdm } from '../fake-gdm.js';
import { startFakeIgd, type FakeIgd } from '../fake-igd/index.js';
import { startFakeNatPmp } from '../fake-natpmp.js';
import { startFakePlexServer, type FakePlexServer } from '../fake-plex-server/index.js';
import { startFakePlexTv, type FakePlexTv } from '../fake-plex-tv/index.js';
import { connectBack } from '../fake-plex-tv/reachability.js';
import { HOME } from '../observations.js';
import type { Scenario } from './define.js';
import { hostFacts, pickServerEndpoint, type Endpoint } from './host.js';
import { createLanRouteAgent } from './lan-route.js';
import {
  createNetworkModel,
  DEFAULT_PUBLIC_PORT,
  resolveForwards,
  type NetworkModel,
  type ResolvedForward,
} from './network-model.js';
import { scenarios, type ScenarioName } from './presets.js';
import { createScenarioProbes } from './probes.js';
import { startPublishProxy } from './publish-proxy.js';
import { relabelText } from './relabel.js';

export interface StartScenarioOptions {
  /** The Plex token the fakes accept and `options.token` carries. @default a random one per run */
  token?: string;
  /** Deadline of each collector in the returned options (the fakes answer in milliseconds). @default 3000 */
  collectorTimeoutMs?: number;
}

export interface RunningScenario {
  readonly scenario: Scenario;
  /** Ready for `diagnose(options)` or `collect(options)`; add rule config or `onProgress` as needed. */
  readonly options: DiagnoseOptions;
  readonly server: FakePlexServer;
  readonly plexTv: FakePlexTv;
  /** Closes every server, socket and agent the scenario started. Never rejects. */
  close(): Promise<void>;
}

export const DEFAULT_SCENARIO: ScenarioName = 'isp-blocks-32400';
const OWNER = 'plexowner';
const CONNECT_BACK_TIMEOUT_MS = 2000;
/** The fake's own defaults describe a hand-made forward; a scenario's home starts from Plex's default, automatic mapping. */
const BASE_PREFS = { ManualPortMappingMode: false };

function scenarioNamed(name: string): Scenario {
  const found = Object.hasOwn(scenarios, name) ? scenarios[name as ScenarioName] : undefined;
  if (!found) throw new UsageError(`unknown scenario "${name}"; known: ${Object.keys(scenarios).join(', ')}`);
  return found;
}

/** plex.tv's connect-back to the server's public address: through the model, and really to the fake at the end. */
function internetCheck(model: NetworkModel, endpoint: Endpoint) {
  return async (port: number): Promise<{ reachable: boolean; error?: string }> => {
    const target = `${model.serverSeenAt}:${port}`;
    if (model.reachFromInternet(port).kind !== 'server')
      return { reachable: false, error: `connect ETIMEDOUT ${target}` };
    const answer = await connectBack(endpoint.host, endpoint.port, HOME.machineIdentifier, CONNECT_BACK_TIMEOUT_MS);
    return answer.error
      ? {
          reachable: answer.reachable,
          error: relabelText(answer.error, [[`${endpoint.host}:${endpoint.port}`, target]]),
        }
      : answer;
  };
}

/** Plex's automatic mapping, as a real AddPortMapping SOAP call to the fake IGD (which may refuse it). */
function upnpMapping(igd: FakeIgd, internalClient: string) {
  const client = createIgdClient({ serviceType: igd.serviceType, controlUrl: igd.controlUrl }, { timeoutMs: 2000 });
  return async (privatePort: number): Promise<{ externalPort: number } | undefined> => {
    const result = await client.addPortMapping({
      externalPort: DEFAULT_PUBLIC_PORT,
      internalPort: privatePort,
      internalClient,
      protocol: 'TCP',
      description: 'Plex Media Server',
      leaseSeconds: 0,
    });
    return result.status === 'ok' ? { externalPort: DEFAULT_PUBLIC_PORT } : undefined;
  };
}

export async function startScenario(
  which: ScenarioName | (string & {}) | Scenario,
  options: StartScenarioOptions = {},
): Promise<RunningScenario> {
  const scenario = typeof which === 'string' ? scenarioNamed(which) : which;
  const token = options.token ?? `scenario-${randomBytes(16).toString('hex')}`;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(scenario, token, options);
    } catch (error) {
      // The server's port is chosen before it binds (see pickServerEndpoint): another process may take it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) throw error;
    }
  }
}

async function startOnce(scenario: Scenario, token: string, options: StartScenarioOptions): Promise<RunningScenario> {
  const network = scenario.network ?? {};
  const router = network.router ?? {};
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(closers.reverse().map((close) => close()));
    closers.length = 0;
  };
  try {
    const endpoint = await pickServerEndpoint();
    const wan = router.wan ?? HOME.wan;
    const staticForwards = resolveForwards(router.forwards, endpoint.port);
    // Without UPnP the router's forwards still exist; they just cannot be read.
    const upnp =
      router.upnp === false
        ? undefined
        : await startFakeIgd({
            externalIp: wan,
            mappings: staticForwards.map((f) => ({
              ...f,
              remoteHost: '',
              protocol: 'TCP' as const,
              enabled: true,
              leaseSeconds: 0,
            })),
            ...(router.upnpRefusesMapping ? { failActions: { AddPortMapping: 718 } } : {}),
            friendlyName: 'Home router',
          });
    if (upnp) closers.push(() => upnp.close());
    const forwards = (): ResolvedForward[] =>
      upnp
        ? upnp
            .mappings()
            .filter((m) => m.enabled && m.protocol === 'TCP')
            .map(({ externalPort, internalClient, internalPort, description }) => ({
              externalPort,
              internalClient,
              internalPort,
              description,
            }))
        : staticForwards;
    const model = createNetworkModel(scenario, endpoint.port, forwards);

    // miniupnpd answers NAT-PMP with result 3 (network failure) when its own WAN address is not public
    // (docs/reference/netlab.md).
    const natPmp =
      router.natPmp === false ? undefined : await startFakeNatPmp(wan === '' ? { resultCode: 3 } : { externalIp: wan });
    if (natPmp) closers.push(() => natPmp.close());
    const dns = await startFakeDnsServer({ mode: network.dns ?? 'plex-direct' });
    closers.push(() => dns.close());

    const plexTv = await startFakePlexTv({
      tokens: [token],
      user: { username: OWNER, title: OWNER, email: `${OWNER}@example.invalid` },
      publicAddressOverride: model.serverSeenAt,
      relayAddress: HOME.relay,
    });
    closers.push(() => plexTv.close());
    const proxy = await startPublishProxy(plexTv.url, HOME.certificateHash);
    closers.push(() => proxy.close());

    const friendlyName = scenario.server?.friendlyName ?? HOME.name;
    const server = await startFakePlexServer({
      host: endpoint.host,
      port: endpoint.port,
      token,
      machineIdentifier: HOME.machineIdentifier,
      friendlyName,
      ...(scenario.server?.claimed !== undefined ? { claimed: scenario.server.claimed } : {}),
      ...(scenario.server?.signedIn !== undefined ? { signedIn: scenario.server.signedIn } : {}),
      prefs: { ...BASE_PREFS, ...scenario.server?.prefs },
      account: { privateAddress: model.privateAddress, username: OWNER },
      plexTv: { url: proxy.url },
      reachability: internetCheck(model, endpoint),
      ...(upnp ? { automaticMapping: upnpMapping(upnp, model.privateAddress) } : {}),
      plexTvTimeoutMs: 3000,
    });
    closers.push(() => server.close());

    // GDM multicast does not leave a container's bridge network.
    const visibleOnLan = !network.container;
    const gdm = await startFakeGdm({
      servers: visibleOnLan
        ? [
            {
              machineIdentifier: HOME.machineIdentifier,
              name: friendlyName,
              port: endpoint.port,
              host: `${HOME.certificateHash}.plex.direct`,
              version: server.state.version,
            },
          ]
        : [],
    });
    closers.push(() => gdm.close());

    const agent = await createLanRouteAgent([
      { from: { host: model.lan.address, port: model.lan.port }, to: endpoint },
    ]);
    closers.push(() => agent.destroy());

    const probes = createScenarioProbes({
      model,
      server: endpoint,
      dns,
      gdm,
      ...(upnp ? { igd: upnp } : {}),
      ...(natPmp ? { natPmp } : {}),
      host: hostFacts(scenario, model),
    });
    const diagnoseOptions: DiagnoseOptions = {
      url: `http://${model.lan.address}:${model.lan.port}`,
      token,
      plexTv: { baseUrl: plexTv.url },
      probes,
      dispatcher: agent,
      collectorTimeoutMs: options.collectorTimeoutMs ?? 3000,
    };
    return { scenario, options: diagnoseOptions, server, plexTv, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
