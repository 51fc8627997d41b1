/**
 * collectSnapshot(options) → Snapshot: builds the clients, runs the named collectors (and what they need), and returns
 * the evidence as redacted, versioned JSON. The token stays inside the clients; it is scrubbed from the snapshot anyway.
 * Which collectors the enabled rules need is decided a layer up (`collect` in src/diagnose), so this layer knows no rule.
 */
import { statedFactIds, type DeclaredFacts } from './values/declared.js';
import type { Dispatcher } from 'undici';
import { UsageError } from '../core/errors.js';
import { createPlexTvClient } from '../clients/plextv/index.js';
import { redactSnapshot } from '../core/redact-values.js';
import { createServerClient } from '../clients/server/index.js';
import { VERSION } from '../core/version.js';
import { builtinCollectors } from './builtin/index.js';
import type { AnyCollector } from './define-collector.js';
import { runCollectors, type CollectProgress } from './scheduler.js';
import { defaultProbes, type CollectServices, type NetworkOptions, type ProbeSet } from './services.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from '../core/snapshot.js';

export interface CollectSnapshotOptions {
  /** The Plex Media Server, e.g. `http://192.168.1.10:32400`. */
  url: string;
  /** Plex token; without one, the token-free subset runs and the rest is reported as skipped. @default undefined */
  token?: string;
  /** plex.tv settings, or `false` to diagnose without plex.tv. @default { baseUrl: 'https://plex.tv' } */
  plexTv?: false | { baseUrl?: string; clientIdentifier?: string };
  /** Ids of the collectors to run (their needs run too). @default every registered collector */
  collectorIds?: readonly string[];
  /** Collectors besides the built-in ones (user collectors). @default [] */
  collectors?: readonly AnyCollector[];
  /** Collector ids to run even if no rule needs them. @default [] */
  include?: readonly string[];
  /** Deadline of each collector. @default 10000 */
  collectorTimeoutMs?: number;
  /** Collectors running at once. @default Infinity */
  concurrency?: number;
  /** Where LAN probes send their packets. @default the standard addresses */
  network?: NetworkOptions;
  /** Replacement probe functions (tests and scenario presets supply network facts this way). @default the real probes */
  probes?: Partial<ProbeSet>;
  /** Services handed to user collectors besides the built-in ones. @default {} */
  extraServices?: Record<string, unknown>;
  /** Anonymise IP addresses in the snapshot (consistently, keeping their class). @default false */
  redactIps?: boolean;
  /** undici dispatcher for every HTTP call. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  signal?: AbortSignal;
  /** Progress events (the CLI's spinner); the library never prints. */
  onProgress?: (event: CollectProgress) => void;
  /**
   * What the user states that no probe can see (router forwards, "remote access fails from outside", a proxy or
   * tunnel in front, Kubernetes). Recorded as `declared.*` observations. @default {} (nothing stated)
   */
  declared?: DeclaredFacts;
  /** Names of experiments that ran (recorded in the snapshot). @default [] */
  experiments?: readonly string[];
}

export const DEFAULT_COLLECTOR_TIMEOUT_MS = 10_000;

export function createServices(options: CollectSnapshotOptions): CollectServices {
  const timeoutMs = options.collectorTimeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS;
  const dispatcher = options.dispatcher ? { dispatcher: options.dispatcher } : {};
  const server = createServerClient({
    baseUrl: options.url,
    token: options.token,
    timeoutMs,
    signal: options.signal,
    ...dispatcher,
  });
  const serverForRestore = createServerClient({ baseUrl: options.url, token: options.token, timeoutMs, ...dispatcher });
  const plexTv =
    options.plexTv === false
      ? undefined
      : createPlexTvClient({
          token: options.token,
          timeoutMs,
          signal: options.signal,
          ...(options.plexTv?.baseUrl ? { baseUrl: options.plexTv.baseUrl } : {}),
          ...(options.plexTv?.clientIdentifier ? { clientIdentifier: options.plexTv.clientIdentifier } : {}),
          ...dispatcher,
        });
  return {
    server,
    serverForRestore,
    ...(plexTv ? { plexTv } : {}),
    tokenProvided: Boolean(options.token),
    probes: { ...defaultProbes, ...options.probes },
    network: options.network ?? {},
    ...(options.declared ? { declared: options.declared } : {}),
    ...options.extraServices,
  };
}

export async function collectSnapshot(options: CollectSnapshotOptions): Promise<Snapshot> {
  if (!options.url) throw new UsageError('collect needs the server URL (options.url)');
  const started = performance.now();
  const createdAt = new Date().toISOString();
  const registry = [...builtinCollectors, ...(options.collectors ?? [])];
  // A rule may name a collector that only exists when opted in (an experiment): it is then simply not collected.
  const known = new Set(registry.map((collector) => collector.id));
  const asked = options.collectorIds ?? [...known];
  // A fact the user stated is recorded even when no enabled rule reads it: the snapshot keeps what was said.
  const stated = statedFactIds(options.declared);
  const wanted = [...new Set([...asked, ...(options.include ?? []), ...stated])].filter((id) => known.has(id));
  const services = createServices(options);
  const observations = await runCollectors(registry, wanted, {
    services,
    collectorTimeoutMs: options.collectorTimeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const identity = observations['server.identity'];
  const root = observations['server.root'];
  const snapshot: Snapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    tool: { name: 'plex-diagnose', version: VERSION },
    createdAt,
    durationMs: Math.round(performance.now() - started),
    target: {
      url: services.server.baseUrl,
      ...(identity?.status === 'ok'
        ? { machineIdentifier: (identity.value as { machineIdentifier: string }).machineIdentifier }
        : {}),
      ...(root?.status === 'ok' && (root.value as { friendlyName?: string }).friendlyName
        ? { name: (root.value as { friendlyName: string }).friendlyName }
        : {}),
    },
    context: {
      tokenProvided: services.tokenProvided,
      plexTv: options.plexTv !== false,
      experiments: [...(options.experiments ?? [])],
    },
    redaction: { token: true, ips: false },
    observations,
  };
  return redactSnapshot(snapshot, { ips: options.redactIps ?? false, secrets: options.token ? [options.token] : [] });
}
