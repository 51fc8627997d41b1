/**
 * `outside-check`, the library side: clean up what crashed runs left, listen, map a port when asked, learn the public
 * address, print (through callbacks) the URL, wait for one visit from outside, and always close the listener and
 * remove the mapping: on success, timeout, abort (Ctrl-C) and error. Never throws once the listener is up; the
 * result says what happened.
 */
import type { Dispatcher } from 'undici';
import { isIpAddress, classifyAddress } from '../../core/net/address.js';
import { discoverIgd } from '../../probes/upnp/discover.js';
import { probeNatPmp } from '../../probes/natpmp/probe.js';
import { cleanupStaleMappings } from './cleanup.js';
import { phoneJournalPath, removePhoneJournal } from './journal.js';
import { startPhoneListener, type PhoneListener } from './listener.js';
import { mapWithNatPmp, mapWithUpnp, removeMapping, type MappingMade } from './mapping.js';
import { makeNonce } from './nonce.js';
import { PHONE_RESULT_VERSION, type PhoneCheckResult } from './result.js';
import { sourceClassifier, type ClassifySource, type VisitSource } from './source.js';

export const DEFAULT_PHONE_TIMEOUT_MS = 5 * 60_000;
/** The lease outlives the wait by this much, so a killed run's mapping expires by itself soon after. */
const LEASE_MARGIN_SECONDS = 120;

export interface OutsideCheckOptions {
  /** @default '0.0.0.0' */
  listenHost?: string;
  /** Required without `map` (the port the router forwards); with `map`, @default a free port. */
  listenPort?: number;
  /** The port the outside uses. @default listenPort without `map`; with upnp a random free one; natpmp the gateway's choice */
  externalPort?: number;
  map?: 'upnp' | 'natpmp';
  upnp?: { location?: string; ssdpAddress?: string };
  natpmpGateway?: { address: string; port: number };
  /** The home's public address, when the user knows it. @default learned: plex.tv, else the router */
  publicIp?: string;
  /** plex.tv's `/:/ip`. @default none (the router's address only) */
  lookupPublicIp?: (signal: AbortSignal) => Promise<string>;
  /** @default 300000 */
  timeoutMs?: number;
  /** Where the mapping journals live (the config directory). */
  journalDir: string;
  signal?: AbortSignal;
  /** Who counts as outside, given the home's own public addresses. @default sourceClassifier */
  classifier?: (ownPublicAddresses: readonly string[]) => ClassifySource;
  /** Called once the URL works. */
  onReady?: (ready: { url: string; publicAddress: string; externalPort: number; expiresAt: Date }) => void;
  onRefused?: (source: VisitSource) => void;
  onNote?: (line: string) => void;
  /** Deadline of each router call and of the public-address lookup. @default 3000 */
  routerTimeoutMs?: number;
  dispatcher?: Dispatcher;
}

class NotRun extends Error {}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function runOutsideCheck(options: OutsideCheckOptions): Promise<PhoneCheckResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const timeoutMs = options.timeoutMs ?? DEFAULT_PHONE_TIMEOUT_MS;
  const routerTimeoutMs = options.routerTimeoutMs ?? 3000;
  const router = { timeoutMs: routerTimeoutMs, ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}) };
  const note = (line: string): void => {
    try {
      options.onNote?.(line);
    } catch {
      // Progress output must not break the check or its cleanup.
    }
  };
  const warnings: string[] = [];
  const cleanup = await cleanupStaleMappings(options.journalDir, router);
  for (const entry of cleanup) note(`an earlier run's mapping: ${entry.detail}`);

  const journalPath = phoneJournalPath(options.journalDir);
  const nonce = makeNonce();
  let listener: PhoneListener | undefined;
  let mapping: MappingMade | undefined;
  let publicAddress: PhoneCheckResult['publicAddress'];
  let externalPort = options.externalPort;
  let outcome: PhoneCheckResult['outcome'];
  let reason: string | undefined;
  let visitSource: VisitSource | undefined;
  const own: string[] = [];
  // Decided per request: `own` fills in once the public address is known, before the URL is shown.
  const classify: ClassifySource = (address) => (options.classifier ?? sourceClassifier)(own)(address);

  try {
    if (options.signal?.aborted) throw new NotRun('interrupted before it started');
    try {
      listener = await startPhoneListener({
        nonce,
        classify,
        // An IPv6 address stated by the user needs an IPv6 socket ('::' also takes IPv4 where the system allows).
        host: options.listenHost ?? (options.publicIp?.includes(':') ? '::' : '0.0.0.0'),
        port: options.listenPort ?? 0,
        ...(options.onRefused ? { onRefused: options.onRefused } : {}),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new NotRun(
        `cannot listen on port ${options.listenPort ?? 0} (${code ?? message(error)})${code === 'EADDRINUSE' ? ': another program (Plex?) uses it; stop it for the check or forward another port' : ''}`,
      );
    }
    const leaseSeconds = Math.ceil(timeoutMs / 1000) + LEASE_MARGIN_SECONDS;
    if (options.map === 'upnp') {
      const found = await discoverIgd({
        timeoutMs: routerTimeoutMs,
        ...(options.upnp?.location ? { location: options.upnp.location } : {}),
        ...(options.upnp?.ssdpAddress ? { ssdpAddress: options.upnp.ssdpAddress } : {}),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      if (found.status !== 'ok') throw new NotRun(`no UPnP router found (${found.error.message})`);
      mapping = await mapWithUpnp({
        ...router,
        igd: { controlUrl: found.value.controlUrl, serviceType: found.value.serviceType },
        internalPort: listener.port,
        ...(options.externalPort ? { externalPort: options.externalPort } : {}),
        leaseSeconds,
        journalPath,
      }).catch((error: unknown) => {
        throw new NotRun(message(error));
      });
    } else if (options.map === 'natpmp') {
      mapping = await mapWithNatPmp({
        ...router,
        ...(options.natpmpGateway ? { gateway: options.natpmpGateway } : {}),
        internalPort: listener.port,
        ...(options.externalPort ? { externalPort: options.externalPort } : {}),
        leaseSeconds,
        journalPath,
      }).catch((error: unknown) => {
        throw new NotRun(message(error));
      });
      const address = await probeNatPmp({
        timeoutMs: routerTimeoutMs,
        ...(options.natpmpGateway ? { gateway: options.natpmpGateway.address, port: options.natpmpGateway.port } : {}),
      });
      if (address.status === 'ok') mapping.externalIp = address.value.externalIp;
    }
    if (mapping) {
      externalPort = mapping.externalPort;
      note(`the router maps external port ${mapping.externalPort} to this listener (port ${listener.port}) for now`);
    }
    externalPort ??= listener.port;

    // A Ctrl-C during the router calls (they are short and not cancelled) must not print a link nobody can use.
    if (options.signal?.aborted) throw new NotRun('interrupted');
    publicAddress = await learnPublicAddress(options, mapping, routerTimeoutMs, warnings);
    own.push(publicAddress.address, ...(mapping?.externalIp ? [mapping.externalIp] : []));
    const host = publicAddress.address.includes(':') ? `[${publicAddress.address}]` : publicAddress.address;
    const url = `http://${host}:${externalPort}/${nonce}`;
    try {
      options.onReady?.({
        url,
        publicAddress: publicAddress.address,
        externalPort,
        expiresAt: new Date(Date.now() + timeoutMs),
      });
    } catch {
      // As note().
    }

    const waited = await waitForVisit(listener, timeoutMs, options.signal);
    outcome = waited.outcome;
    if (waited.outcome === 'reached') visitSource = waited.visit.source;
    else if (waited.outcome === 'timeout') reason = `no visit from outside within ${Math.round(timeoutMs / 1000)} s`;
    else reason = 'interrupted';
  } catch (error) {
    outcome = options.signal?.aborted ? 'interrupted' : 'not-run';
    reason = error instanceof NotRun ? error.message : `unexpected failure: ${message(error)}`;
  }

  await listener?.close();
  let removal: { removed: boolean; detail: string } | undefined;
  if (mapping) {
    // Its own deadlines, never the run's signal (the abort may be why we are here).
    removal = await removeMapping(mapping.record, router);
    if (removal.removed) await removePhoneJournal(journalPath).catch(() => undefined);
    else warnings.push(removal.detail);
  }

  return {
    version: PHONE_RESULT_VERSION,
    vantage: 'phone',
    reached: outcome === 'reached' ? 'yes' : outcome === 'timeout' ? 'timeout' : 'no',
    outcome,
    ...(reason === undefined ? {} : { reason }),
    startedAt,
    durationMs: Math.max(0, Math.round(performance.now() - started)),
    ...(publicAddress ? { publicAddress } : {}),
    ...(listener ? { listenPort: listener.port } : {}),
    ...(externalPort === undefined ? {} : { externalPort }),
    mapping: {
      method: options.map ?? 'none',
      made: mapping !== undefined,
      removed: removal ? removal.removed : true,
      ...(mapping ? { leaseSeconds: mapping.leaseSeconds } : {}),
      ...(removal ? { detail: removal.detail } : {}),
    },
    ...(visitSource ? { source: visitSource } : {}),
    refused: listener ? [...listener.refused] : [],
    counts: listener ? { ...listener.counts } : { notFound: 0, refused: 0 },
    cleanup,
    warnings,
  };
}

async function learnPublicAddress(
  options: OutsideCheckOptions,
  mapping: MappingMade | undefined,
  timeoutMs: number,
  warnings: string[],
): Promise<NonNullable<PhoneCheckResult['publicAddress']>> {
  const routerIp = mapping?.externalIp;
  if (routerIp && classifyAddress(routerIp) !== 'public')
    warnings.push(
      `the router's own WAN address is ${routerIp} (${classifyAddress(routerIp)}): another NAT (a modem, or the ISP's CGNAT) sits in front of it, so a mapping on this router is likely not reachable from the internet`,
    );
  if (options.publicIp) return { address: options.publicIp, from: 'flag' };
  if (options.lookupPublicIp) {
    try {
      const address = (await options.lookupPublicIp(AbortSignal.timeout(timeoutMs))).trim();
      if (isIpAddress(address) && address.includes(':')) {
        // Forwards and mappings are IPv4: plex.tv reached over IPv6 says nothing about that path.
        warnings.push(
          `plex.tv saw this host over IPv6 (${address}); the check tests IPv4 through the router (give --public-ip to test IPv6)`,
        );
      } else if (isIpAddress(address)) {
        if (routerIp && routerIp !== address && classifyAddress(routerIp) === 'public')
          warnings.push(
            `plex.tv sees this network as ${address}, the router says ${routerIp}: several WAN links or a VPN?`,
          );
        return { address, from: 'plextv' };
      }
    } catch (error) {
      warnings.push(`plex.tv did not tell the public address (${message(error)})`);
    }
  }
  if (routerIp) return { address: routerIp, from: mapping?.record.method === 'natpmp' ? 'natpmp' : 'upnp' };
  throw new NotRun('the public address is not known (plex.tv did not answer, no router told it): pass --public-ip');
}

type Waited = { outcome: 'reached'; visit: Awaited<PhoneListener['visit']> } | { outcome: 'timeout' | 'interrupted' };

function waitForVisit(listener: PhoneListener, timeoutMs: number, signal: AbortSignal | undefined): Promise<Waited> {
  return new Promise((resolve) => {
    const finish = (waited: Waited): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(waited);
    };
    const onAbort = (): void => finish({ outcome: 'interrupted' });
    const timer = setTimeout(() => finish({ outcome: 'timeout' }), timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void listener.visit.then((visit) => finish({ outcome: 'reached', visit }));
  });
}
