/**
 * A real Plex Media Server fake: a `node:http(s)` server on loopback that speaks PMS's XML (and JSON when asked with
 * `Accept: application/json`), with Plex-shaped payloads, a token check, fault injection, and the publish /
 * reachability behaviour of a real server against the fake plex.tv (see `fake-plex-server/publish.ts`).
 *
 * Endpoints: `GET /identity` (no token), `GET /`, `GET /:/prefs`, `GET /:/prefs/get?id=` (404 unknown),
 * `PUT /:/prefs?A=..&B=..` (400 for an unknown id or a bad value), `GET /myplex/account`,
 * `PUT /myplex/refreshReachability`; anything else 404.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { playFault, takeFault, type FaultRule } from '../faults.js';
import { canonicalPrefValue, fakeSettingDefinition, initialPrefs } from './catalogue.js';
import {
  UNAUTHORIZED_HTML,
  PLEX_HEADERS,
  accountElement,
  identityElement,
  rootElement,
  sendEmpty,
  sendHtml,
  sendPlex,
  settingsElement,
  type PlexFormat,
} from './payloads.js';
import { runMappingCycle, type MappingContext } from './publish.js';
import type { FakeAccountState, FakePlexServerState } from './state.js';
import { MAPPING_PREFS, queryOf, tokenOf, type FakePlexRequest } from './request.js';
import { delayAnswer, startLoopbackServer, wantsJson } from '../http-server.js';

export type {
  FakeAccountState,
  FakePlexServerState,
  FakePublishBody,
  FakePublishRecord,
  FakeReachabilityRecord,
} from './state.js';
export type { FakePlexRequest } from './request.js';
export { FAKE_SETTINGS } from './catalogue.js';
export type { FakeSettingDefinition, FakePrefType } from './catalogue.js';

export interface FakePlexServerOptions {
  /** Address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on. @default 0 (an ephemeral port) */
  port?: number;
  /** Serve HTTPS with this PEM certificate and key. @default undefined (plain HTTP) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * When set, every endpoint but `/identity` needs this token (X-Plex-Token header or `?X-Plex-Token=`), else 401 with
   * PMS's HTML body. Also sent to the fake plex.tv when publishing. @default undefined (no token needed)
   */
  token?: string;
  /** @default 40 random hex characters */
  machineIdentifier?: string;
  /** @default 'fake-plex' */
  friendlyName?: string;
  /** @default '1.41.3.9314-a0bfb8370' */
  version?: string;
  /** @default 'Linux' */
  platform?: string;
  /** @default '6.1.0' */
  platformVersion?: string;
  /** false: identity claimed=0, sign-in state `none` on `/` and in the account, mapping `unknown`. @default true */
  claimed?: boolean;
  /** false (while claimed): sign-in state `invalid`. @default true */
  signedIn?: boolean;
  /** Values overriding the catalogue's (see FAKE_SETTINGS); an unknown id throws. @default {} */
  prefs?: Record<string, string | number | boolean>;
  /**
   * The account `/myplex/account` reports. Static unless `plexTv` or `reachability` is given, in which case the
   * mapping cycle overwrites the mapping fields. @default mapped on 32400 from 203.0.113.10
   */
  account?: Partial<Omit<FakeAccountState, 'subscriptionState'>>;
  /** Delay before every answer (faults included). @default 0 */
  latencyMs?: number;
  /** Faults to inject (see src/testing/faults.ts). @default [] */
  faults?: FaultRule[];
  /**
   * The fake plex.tv to publish to and to ask for reachability checks, through its testing-only `/__fake/*`
   * endpoints (not Plex API; see fake-plex-server/publish.ts). @default undefined (no publishing)
   */
  plexTv?: { url: string };
  /**
   * Decides reachability of the public port instead of the fake plex.tv. With `plexTv` or this option, the mapping
   * cycle runs on start, on `PUT /myplex/refreshReachability`, on `publish()` and when a mapping pref changes.
   * @default undefined
   */
  reachability?: (port: number) => Promise<{ reachable: boolean; error?: string }>;
  /** Plays UPnP / NAT-PMP when ManualPortMappingMode is off; `undefined` = no mapping. @default undefined (never maps) */
  automaticMapping?: (privatePort: number) => Promise<{ externalPort: number } | undefined>;
  /** Deadline of each call to the fake plex.tv. @default 5000 */
  plexTvTimeoutMs?: number;
  /**
   * The 32-hex `<hash>` of a `*.<hash>.plex.direct` certificate, as every current PMS has: published to the fake
   * plex.tv, which then lists `https://<ip-dashed>.<hash>.plex.direct:<port>` connections (docs/reference/plex-api.md
   * §6).
   * @default undefined (plain `http://ip:port` connections)
   */
  certificateHash?: string;
  /**
   * The server's global IPv6 addresses: published to the fake plex.tv (as remote connections on the private port)
   * while the EnableIPv6 pref is on, like a real PMS with IPv6 support on. @default [] (none)
   */
  ipv6Addresses?: string[];
  /**
   * Called with the changed prefs after a `PUT /:/prefs` is stored and before the server re-publishes: a runner
   * that must act on a pref (the lab starts listening on IPv6 when EnableIPv6 turns on) does it here.
   * @default undefined
   */
  onPrefsChange?: (changes: Record<string, string>) => void | Promise<void>;
}

export interface FakePlexServer {
  readonly url: string;
  readonly port: number;
  readonly machineIdentifier: string;
  /** Live and mutable: change it and later responses follow. */
  readonly state: FakePlexServerState;
  /** Every request so far, oldest first. */
  readonly requests: FakePlexRequest[];
  /** Replaces the faults with this one (`undefined` clears them). */
  setFault(rule: FaultRule | undefined): void;
  addFault(rule: FaultRule): void;
  setLatency(ms: number): void;
  /** Runs the publish + reachability cycle now (what PUT /myplex/refreshReachability does). */
  publish(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakePlexServer(options: FakePlexServerOptions = {}): Promise<FakePlexServer> {
  // Copies: takeFault() counts `times` down on the rule objects, and the caller's must stay untouched.
  let faults: FaultRule[] = (options.faults ?? []).map((rule) => ({ ...rule }));
  let latencyMs = options.latencyMs ?? 0;
  const requests: FakePlexRequest[] = [];
  const accountToken = options.token ?? `fake-account-${randomBytes(12).toString('hex')}`;
  const lifetime = new AbortController();
  let state: FakePlexServerState | undefined;
  let mapping: MappingContext | undefined;
  let chain: Promise<void> = Promise.resolve();

  const publish = (): Promise<void> => {
    const run = chain.then(() => (mapping ? runMappingCycle(mapping) : undefined));
    chain = run.catch(() => undefined);
    return run;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const method = (request.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const sent = tokenOf(request, url);
    const tokenValid = sent !== undefined && (options.token === undefined || sent === options.token);
    requests.push({
      method,
      path,
      query: queryOf(url),
      hadToken: sent !== undefined,
      tokenValid,
      accept: request.headers.accept,
    });
    const format: PlexFormat = wantsJson(request) ? 'json' : 'xml';
    if (!(await delayAnswer(request, latencyMs))) return;
    const fault = takeFault(faults, method, path);
    if (fault) return playFault(fault, request, response, format);
    if (!state) return sendHtml(response, 503, 'Service Unavailable');
    if (options.token !== undefined && path !== '/identity' && !tokenValid) {
      response.writeHead(401, {
        ...PLEX_HEADERS,
        'Content-Type': 'text/html',
        'Content-Length': String(UNAUTHORIZED_HTML.length),
      });
      return void response.end(UNAUTHORIZED_HTML);
    }
    await route(state, method, path, url, response, format);
  }

  async function route(
    current: FakePlexServerState,
    method: string,
    path: string,
    url: URL,
    response: ServerResponse,
    format: PlexFormat,
  ): Promise<void> {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /identity':
        return sendPlex(response, identityElement(current), format);
      case 'GET /':
        return sendPlex(response, rootElement(current), format);
      case 'GET /:/prefs':
        return sendPlex(response, settingsElement(current), format);
      case 'GET /:/prefs/get': {
        const id = url.searchParams.get('id') ?? '';
        if (!fakeSettingDefinition(id)) return sendHtml(response, 404, 'Not Found');
        return sendPlex(response, settingsElement(current, [id]), format);
      }
      case 'PUT /:/prefs':
        return setPrefs(current, url, response);
      case 'GET /myplex/account':
        return sendPlex(response, accountElement(current, accountToken), format);
      case 'PUT /myplex/refreshReachability':
        // A real PMS answers at once and checks in the background; waiting makes tests deterministic.
        await publish();
        return sendEmpty(response);
      default:
        return sendHtml(response, 404, 'Not Found');
    }
  }

  /** Like spec setPreferences: all or nothing, 400 for an unknown id or a value of the wrong type. */
  async function setPrefs(current: FakePlexServerState, url: URL, response: ServerResponse): Promise<void> {
    const changes: Record<string, string> = {};
    for (const [id, value] of url.searchParams) {
      if (/^x-plex-/i.test(id)) continue;
      const definition = fakeSettingDefinition(id);
      const stored = definition && canonicalPrefValue(definition.type, value);
      if (stored === undefined) return sendHtml(response, 400, 'Bad Request');
      changes[id] = stored;
    }
    const remap = Object.entries(changes).some(([id, value]) => MAPPING_PREFS.has(id) && current.prefs[id] !== value);
    Object.assign(current.prefs, changes);
    if (changes.FriendlyName) current.friendlyName = changes.FriendlyName;
    await options.onPrefsChange?.(changes);
    if (remap) await publish();
    sendEmpty(response);
  }

  const server = await startLoopbackServer(handle, { host: options.host, port: options.port, tls: options.tls });
  const host = options.host ?? '127.0.0.1';
  const claimed = options.claimed ?? true;
  const machineIdentifier = options.machineIdentifier ?? randomBytes(20).toString('hex');
  const friendlyName = options.friendlyName ?? 'fake-plex';
  const privateAddress = options.account?.privateAddress ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
  const prefs = initialPrefs(options.prefs ?? {}, {
    MachineIdentifier: machineIdentifier,
    FriendlyName: friendlyName,
    PlexOnlineMail: claimed ? 'plexuser@example.com' : '',
    ConfigurationUrl: `http://127.0.0.1:${server.port}/web`,
  });
  const mapped = claimed && (options.signedIn ?? true);
  const subscriptionActive = options.account?.subscriptionActive ?? false;
  state = {
    machineIdentifier,
    friendlyName,
    version: options.version ?? '1.41.3.9314-a0bfb8370',
    platform: options.platform ?? 'Linux',
    platformVersion: options.platformVersion ?? '6.1.0',
    claimed,
    signedIn: options.signedIn ?? true,
    prefs,
    account: {
      mappingState: mapped ? 'mapped' : 'unknown',
      mappingError: '',
      mappingErrorMessage: '',
      publicAddress: mapped ? '203.0.113.10' : '',
      publicPort: mapped ? Number(prefs.ManualPortMappingPort) : 0,
      privateAddress: mapped ? privateAddress : '',
      privatePort: mapped ? server.port : 0,
      username: 'plexuser',
      subscriptionFeatures: subscriptionActive ? ['pass', 'sync', 'webhooks'] : [],
      ...options.account,
      subscriptionActive,
      subscriptionState: subscriptionActive ? 'Active' : 'Unknown',
    },
    ...(options.certificateHash ? { certificateHash: options.certificateHash } : {}),
  };
  mapping = {
    state,
    token: options.token,
    plexTv: options.plexTv,
    reachability: options.reachability,
    automaticMapping: options.automaticMapping,
    privatePort: server.port,
    privateAddress,
    ...(options.ipv6Addresses?.length ? { ipv6Addresses: options.ipv6Addresses } : {}),
    staticPublicAddress: options.account?.publicAddress ?? '203.0.113.10',
    timeoutMs: options.plexTvTimeoutMs ?? 5000,
    signal: lifetime.signal,
  };
  const current = state;
  if (options.plexTv || options.reachability) await publish();

  return {
    url: server.url,
    port: server.port,
    machineIdentifier,
    state: current,
    requests,
    setFault(rule) {
      faults = rule ? [{ ...rule }] : [];
    },
    addFault(rule) {
      faults.push({ ...rule });
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    publish,
    async close() {
      lifetime.abort();
      // Outgoing calls end with the abort; a user's reachability/automaticMapping callback might not, so do not wait long.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([chain, new Promise((resolve) => (timer = setTimeout(resolve, 1000).unref()))]);
      clearTimeout(timer);
      await server.close();
    },
  };
}
