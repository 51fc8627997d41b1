/**
 * Parsed flags → validated settings. Every bad value is a UsageError with a one-line reason (exit 2) before anything
 * touches the network.
 */
import { parseForward, type DeclaredFacts, type DeclaredForward } from '../collect/values/declared.js';
import { UsageError } from '../core/errors.js';
import type { NetworkOptions } from '../collect/services.js';
import { isIpAddress } from '../core/net/address.js';
import { parseHostPort } from '../probes/udp.js';
import type { FailOn } from '../report/exit-code.js';
import type { RuleConfig, Severity } from '../rules/types.js';
import { normalizeServerBaseUrl } from '../clients/server/client.js';
import { parseDuration } from '../watch/interval.js';
import type { OptionValue } from './parse-argv.js';
import { MAX_PORTS_PER_REQUEST, type PortCheckRequest } from '../outside/protocol.js';
import type { ForwardSpec } from '../watch/forward-evidence.js';

export const EXPERIMENTS = ['alternate-port'] as const;
export type ExperimentName = (typeof EXPERIMENTS)[number];

const LEVELS = new Set(['off', 'info', 'warning', 'error']);
const FAIL_ON = new Set(['error', 'warning', 'info', 'none']);

type Values = Record<string, OptionValue>;
const str = (values: Values, name: string): string | undefined =>
  typeof values[name] === 'string' ? values[name] : undefined;
const list = (values: Values, name: string): string[] => {
  const value = values[name];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return items
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
};
const flag = (values: Values, name: string): boolean => values[name] === true;

export interface OutputSettings {
  json: boolean;
  markdown: boolean;
  redactIps: boolean;
  verbose: boolean;
  noColor: boolean;
  failOn: FailOn;
}

export function outputSettings(values: Values): OutputSettings {
  const json = flag(values, 'json');
  const markdown = flag(values, 'markdown');
  if (json && markdown) throw new UsageError('choose one of --json and --markdown');
  const failOn = str(values, 'fail-on') ?? 'error';
  if (!FAIL_ON.has(failOn)) throw new UsageError(`--fail-on must be error, warning, info or none, not "${failOn}"`);
  // A forum post must not carry the public address: markdown always anonymises addresses.
  return {
    json,
    markdown,
    redactIps: markdown || flag(values, 'redact-ips'),
    verbose: flag(values, 'verbose'),
    noColor: flag(values, 'no-color'),
    failOn: failOn as FailOn,
  };
}

export interface RuleSettings {
  modules: string[];
  ruleConfig: RuleConfig;
  only?: string[];
}

export function ruleSettings(values: Values): RuleSettings {
  const ruleConfig: RuleConfig = {};
  for (const entry of list(values, 'rule')) {
    const match = /^([^=\s]+)=([a-z]+)$/.exec(entry);
    if (!match || !LEVELS.has(match[2]!))
      throw new UsageError(`--rule "${entry}" must be <rule-id>=off|info|warning|error`);
    ruleConfig[match[1]!] = match[2] as Severity | 'off';
  }
  const only = list(values, 'only');
  const modules = Array.isArray(values.rules) ? values.rules : typeof values.rules === 'string' ? [values.rules] : [];
  return { modules, ruleConfig, ...(only.length ? { only } : {}) };
}

export interface CollectSettings {
  url?: string;
  token?: string;
  timeoutMs: number;
  plexTv: false | { baseUrl?: string };
  experiments: ExperimentName[];
  keep: boolean;
  yes: boolean;
  network: NetworkOptions;
  /** What the user stated on flags (`--forward`, `--says-remote-fails`, ...). */
  declared: DeclaredFacts;
  /** --reflector and what goes with it; the secret itself is read later (prepareRun), never kept in settings. */
  outside?: OutsideFlags;
}

export interface OutsideFlags {
  reflectorUrl: string;
  secretFile?: string;
  /** Every port to check besides Plex's: the --forward-check ports, then the external ports of --forward. */
  forwards: PortCheckRequest[];
  /** What `watch` monitors, one entry per external port: --forward-check and --forward merged, labels kept. */
  monitored: ForwardSpec[];
}

const FORWARD = /^(\d{1,5})(?:\/(tls|plex|https))?$/;
/** `=nas`, `=media server`: a name for the forward in alerts; letters, digits, space, `._-`, at most 40. */
const LABEL = /^[\p{L}\p{N} ._-]{1,40}$/u;

/** `443/tls=nextcloud` → the check text and the label (none without `=`). */
export function splitLabel(text: string, option: string): { text: string; label?: string } {
  const at = text.indexOf('=');
  if (at < 0) return { text };
  const label = text.slice(at + 1).trim();
  if (!LABEL.test(label))
    throw new UsageError(
      `--${option} "${text.slice(0, 60)}": the name after = must be 1-40 letters, digits, spaces, dots, dashes or underscores`,
    );
  return { text: text.slice(0, at), label };
}

/**
 * `--forward-check 443`, `443/tls` (also the certificate's names), `32401/plex` (also TLS and /identity over HTTP),
 * `443/https` (a front door: a reverse proxy or tunnel speaking only TLS; TLS and /identity over HTTPS); `=name`
 * labels it.
 */
export function parseForwardCheck(raw: string): PortCheckRequest {
  const text = splitLabel(raw, 'forward-check').text;
  const match = FORWARD.exec(text.trim().toLowerCase());
  const port = Number(match?.[1]);
  if (!match || port < 1 || port > 65535)
    throw new UsageError(
      `--forward-check "${text.slice(0, 40)}" must be a port (1-65535), optionally /tls, /plex or /https`,
    );
  if (match[2] === 'tls') return { port, tls: true };
  if (match[2] === 'plex') return { port, tls: true, identity: 'http' };
  if (match[2] === 'https') return { port, tls: true, identity: 'https' };
  return { port };
}

function outsideFlags(values: Values): OutsideFlags | undefined {
  const reflector = str(values, 'reflector');
  const secretFile = str(values, 'reflector-secret-file');
  const checks = list(values, 'forward-check');
  const forwards = checks.map(parseForwardCheck);
  if (reflector === undefined) {
    if (secretFile !== undefined) throw new UsageError('--reflector-secret-file goes with --reflector');
    if (forwards.length) throw new UsageError('--forward-check needs --reflector (the machine outside that checks it)');
    return undefined;
  }
  const ports = new Set(forwards.map((f) => f.port));
  if (ports.size !== forwards.length) throw new UsageError('--forward-check lists a port twice');
  const monitored: ForwardSpec[] = forwards.map((check, i) => {
    const label = splitLabel(checks[i]!, 'forward-check').label;
    return { externalPort: check.port, ...(label ? { label } : {}) };
  });
  // A stated forward (--forward ext:host:port) is checked from outside too, and gives its check the LAN side.
  for (const { forward, label } of statedForwards(values)) {
    const spec = monitored.find((m) => m.externalPort === forward.externalPort);
    const lanSide = { host: forward.host, internalPort: forward.internalPort };
    if (spec) Object.assign(spec, lanSide, spec.label || !label ? {} : { label });
    else {
      monitored.push({ externalPort: forward.externalPort, ...lanSide, ...(label ? { label } : {}) });
      forwards.push({ port: forward.externalPort });
    }
  }
  // One request carries Plex's port and the forwards.
  if (forwards.length > MAX_PORTS_PER_REQUEST - 1)
    throw new UsageError(
      `--forward-check and --forward: at most ${MAX_PORTS_PER_REQUEST - 1} forwards per run with --reflector`,
    );
  return { reflectorUrl: httpUrl(reflector, 'reflector'), ...(secretFile ? { secretFile } : {}), forwards, monitored };
}

/** Every `--forward ext:host:port[=name]`, validated: not `ext:host:port` is a usage error, not a silent guess. */
function statedForwards(values: Values): { forward: DeclaredForward; label?: string }[] {
  return list(values, 'forward').map((raw) => {
    const { text, label } = splitLabel(raw, 'forward');
    const forward = parseForward(text);
    if (!forward || !(isIpAddress(forward.host) || HOST_NAME.test(forward.host)))
      throw new UsageError(
        `--forward "${text.slice(0, 60)}" is not external-port:host:port (e.g. 32400:192.168.1.10:32400)`,
      );
    return { forward, ...(label ? { label } : {}) };
  });
}

/** The "you said" flags, validated. */
export function declaredFacts(values: Values): DeclaredFacts {
  const forwards = statedForwards(values).map((stated) => stated.forward);
  if (flag(values, 'behind-proxy') && flag(values, 'behind-tunnel'))
    throw new UsageError('--behind-proxy and --behind-tunnel: say which one is in front of Plex');
  return {
    ...(forwards.length ? { forwards } : {}),
    ...(flag(values, 'says-remote-fails') ? { failsFromOutside: true } : {}),
    ...(flag(values, 'behind-proxy') ? { frontDoor: 'reverse-proxy' as const } : {}),
    ...(flag(values, 'behind-tunnel') ? { frontDoor: 'tunnel' as const } : {}),
    ...(flag(values, 'kubernetes') ? { kubernetes: true } : {}),
  };
}

/**
 * A `host:port` flag (`192.168.1.1:5351`, `[fe80::1]:1900`, `router.lan`), parsed, else a UsageError naming the flag.
 * The host must be an IP address or a host name: parseHostPort alone takes anything non-empty ("[::1", ":::").
 */
export function hostPortOption(value: string, option: string, defaultPort: number): { address: string; port: number } {
  const parsed = parseHostPort(value, defaultPort);
  if (!parsed || !(isIpAddress(parsed.address) || HOST_NAME.test(parsed.address)))
    throw new UsageError(`--${option} "${value}" is not host:port`);
  return parsed;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?$/i;

function hostPort(value: string, option: string, defaultPort: number): string {
  hostPortOption(value, option, defaultPort);
  return value;
}

/** An http(s) URL flag, else a UsageError naming the flag. */
export function httpUrl(value: string, option: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through
  }
  throw new UsageError(`--${option} "${value.slice(0, 60)}" is not an http(s) URL`);
}

export function collectSettings(values: Values, env: NodeJS.ProcessEnv): CollectSettings {
  const rawUrl = str(values, 'url') ?? (env.PLEX_URL || undefined);
  const token = str(values, 'token');
  const url = rawUrl === undefined ? undefined : normalizeServerBaseUrl(rawUrl, token ? [token] : []);
  const timeoutMs =
    str(values, 'timeout') === undefined
      ? 10_000
      : parseDuration(str(values, 'timeout')!, { minMs: 100, what: 'timeout' });
  const plexTvUrl = str(values, 'plextv-url') ?? (env.PLEX_DIAGNOSE_PLEXTV_URL || undefined);
  const experiments = list(values, 'experiment');
  for (const name of experiments) {
    if (!(EXPERIMENTS as readonly string[]).includes(name))
      throw new UsageError(`unknown experiment "${name}" (known: ${EXPERIMENTS.join(', ')})`);
  }
  if (flag(values, 'no-plextv') && experiments.length)
    throw new UsageError('--experiment needs plex.tv (it asks plex.tv to test the server): drop --no-plextv');
  if (flag(values, 'keep') && experiments.length === 0)
    throw new UsageError('--keep keeps what an experiment changed: it needs --experiment');
  // The flag, not PLEX_DIAGNOSE_PLEXTV_URL: an environment default does not contradict a flag.
  if (flag(values, 'no-plextv') && str(values, 'plextv-url') !== undefined)
    throw new UsageError('--no-plextv and --plextv-url contradict each other: drop one');
  const network: NetworkOptions = {};
  const upnpLocation = str(values, 'upnp-location');
  if (upnpLocation) network.upnpLocation = httpUrl(upnpLocation, 'upnp-location');
  const ssdp = str(values, 'ssdp-address');
  if (ssdp) network.ssdpAddress = hostPort(ssdp, 'ssdp-address', 1900);
  const natpmp = str(values, 'natpmp-gateway');
  if (natpmp) network.natPmpGateway = hostPort(natpmp, 'natpmp-gateway', 5351);
  const gdm = list(values, 'gdm-target');
  if (gdm.length) network.gdmTargets = gdm.map((target) => hostPort(target, 'gdm-target', 32414));
  const resolvers = list(values, 'resolver');
  if (resolvers.length) network.resolvers = resolvers.map((resolver) => hostPort(resolver, 'resolver', 53));
  const outside = outsideFlags(values);
  return {
    ...(outside ? { outside } : {}),
    ...(url ? { url } : {}),
    ...(token ? { token } : {}),
    timeoutMs,
    plexTv: flag(values, 'no-plextv') ? false : plexTvUrl ? { baseUrl: httpUrl(plexTvUrl, 'plextv-url') } : {},
    experiments: experiments as ExperimentName[],
    keep: flag(values, 'keep'),
    yes: flag(values, 'yes'),
    network,
    declared: declaredFacts(values),
  };
}

/** A positive integer flag (`--debounce 2`, `--max-runs 10`). */
export function positiveInteger(values: Values, name: string, fallback: number | undefined): number | undefined {
  const raw = str(values, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new UsageError(`--${name} must be a whole number of at least 1, not "${raw}"`);
  return Number(raw);
}
