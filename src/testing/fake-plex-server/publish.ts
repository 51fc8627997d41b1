/**
 * What a real PMS does to become reachable, played against the fake plex.tv (the lab relies on it):
 * publish itself, pick the public port (manual, or an automatic UPnP / NAT-PMP mapping), then have plex.tv connect
 * back to the public address it saw on that port, and report the outcome in `/myplex/account`
 * (docs/reference/plex-api.md §3).
 *
 * The two `/__fake/*` endpoints used here are a testing-only contract between our fakes, NOT Plex API:
 * - `POST {plexTv.url}/__fake/servers/publish` body `FakePublishBody` → `200 { publicAddress }`
 * - `POST {plexTv.url}/__fake/servers/{machineIdentifier}/reachability` body `{ port }` →
 *   `200 { reachable, checked: "ip:port", error? }`
 */
import { z } from 'zod';
import { HttpError } from '../../core/errors.js';
import { decodeBody } from '../../http/decode.js';
import { httpRequest } from '../../http/transport.js';
import { parseWith } from '../../http/validate.js';
import { prefBool, prefList, prefNumber, type FakePlexServerState, type FakePublishBody } from './state.js';

export interface ReachabilityAnswer {
  reachable: boolean;
  error?: string;
  checked?: string;
}

export interface MappingContext {
  state: FakePlexServerState;
  /** Sent as X-Plex-Token to the fake plex.tv. */
  token?: string;
  plexTv?: { url: string };
  reachability?: (port: number) => Promise<{ reachable: boolean; error?: string }>;
  automaticMapping?: (privatePort: number) => Promise<{ externalPort: number } | undefined>;
  /** The server's own (private) port. */
  privatePort: number;
  /** The private address published and reported. */
  privateAddress: string;
  /** Global IPv6 addresses published while EnableIPv6 is on. */
  ipv6Addresses?: string[];
  /** Public address to report when there is no plex.tv to tell it (reachability option only). */
  staticPublicAddress: string;
  /** Deadline of each outgoing call. */
  timeoutMs: number;
  signal: AbortSignal;
}

const PublishAnswer = z.looseObject({ publicAddress: z.string() });
const ReachabilityReply = z.looseObject({
  reachable: z.boolean(),
  checked: z.string().optional(),
  error: z.string().optional(),
});

async function postJson<S extends z.ZodType>(
  context: MappingContext,
  path: string,
  body: unknown,
  schema: S,
  what: string,
): Promise<z.output<S>> {
  const url = `${context.plexTv!.url.replace(/\/+$/, '')}${path}`;
  const response = await httpRequest({
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    token: context.token,
    body: JSON.stringify(body),
    timeoutMs: context.timeoutMs,
    signal: context.signal,
  });
  const secrets = context.token ? [context.token] : [];
  if (response.status < 200 || response.status >= 300) {
    throw new HttpError(`POST ${response.url}: ${response.status}`, {
      method: 'POST',
      url: response.url,
      status: response.status,
      secrets,
    });
  }
  const data = decodeBody(response.body, { method: 'POST', url: response.url, secrets });
  return parseWith(schema, data, { what, method: 'POST', url: response.url, secrets });
}

export function publishBody(
  context: MappingContext,
  publicPort: number | undefined,
  remoteAccessEnabled: boolean,
): FakePublishBody {
  const { state } = context;
  return {
    machineIdentifier: state.machineIdentifier,
    name: state.friendlyName,
    productVersion: state.version,
    platform: state.platform,
    platformVersion: state.platformVersion,
    localAddresses: [context.privateAddress],
    port: context.privatePort,
    ...(publicPort === undefined ? {} : { publicPort }),
    httpsRequired: state.prefs.secureConnections === '0',
    relayEnabled: prefBool(state, 'RelayEnabled'),
    customConnections: prefList(state, 'customConnections'),
    ...(state.certificateHash ? { certificateHash: state.certificateHash } : {}),
    remoteAccessEnabled,
    ...(prefBool(state, 'EnableIPv6') && context.ipv6Addresses?.length ? { ipv6Addresses: context.ipv6Addresses } : {}),
  };
}

async function publish(context: MappingContext, body: FakePublishBody): Promise<string> {
  try {
    const answer = await postJson(
      context,
      '/__fake/servers/publish',
      body,
      PublishAnswer,
      'fake plex.tv publish answer',
    );
    context.state.lastPublish = { body, publicAddress: answer.publicAddress };
    return answer.publicAddress;
  } catch (error) {
    context.state.lastPublish = { body, error: error instanceof Error ? error.message : String(error) };
    throw error;
  }
}

async function checkReachability(context: MappingContext, port: number): Promise<ReachabilityAnswer> {
  try {
    if (context.reachability) return await context.reachability(port);
    const path = `/__fake/servers/${encodeURIComponent(context.state.machineIdentifier)}/reachability`;
    return await postJson(context, path, { port }, ReachabilityReply, 'fake plex.tv reachability answer');
  } catch (error) {
    return { reachable: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Sets the account's mapping outcome. Addresses and ports are only reported once mapped (python-plexapi test). */
function settle(
  context: MappingContext,
  mappingState: string,
  mappingError: string,
  message = '',
  addresses?: { publicAddress: string; publicPort: number },
): void {
  const account = context.state.account;
  account.mappingState = mappingState;
  account.mappingError = mappingError;
  account.mappingErrorMessage = message;
  account.publicAddress = addresses?.publicAddress ?? '';
  account.publicPort = addresses?.publicPort ?? 0;
  account.privateAddress = addresses ? context.privateAddress : '';
  account.privatePort = addresses ? context.privatePort : 0;
}

/**
 * One publish + reachability cycle. No-op without `plexTv` and `reachability` (the account stays as configured).
 * Never throws: failures become the mapping state a real server would show.
 */
export async function runMappingCycle(context: MappingContext): Promise<void> {
  if (!context.plexTv && !context.reachability) return;
  const { state } = context;
  // A server without a signed-in account has nobody to publish for.
  if (!state.claimed || !state.signedIn) return settle(context, 'unknown', '');
  if (!prefBool(state, 'PublishServerOnPlexOnlineKey')) {
    settle(context, 'unknown', '');
    if (context.plexTv) await publish(context, publishBody(context, undefined, false)).catch(() => undefined);
    return;
  }
  state.account.mappingState = 'waiting';
  let publicPort: number | undefined;
  if (prefBool(state, 'ManualPortMappingMode')) {
    publicPort = prefNumber(state, 'ManualPortMappingPort');
  } else {
    const mapped = await context.automaticMapping?.(context.privatePort).catch(() => undefined);
    publicPort = mapped?.externalPort;
    // "Last": a failed attempt leaves the previous mapping's port in place.
    if (publicPort !== undefined) state.prefs.LastAutomaticMappedPort = String(publicPort);
  }
  let publicAddress = context.staticPublicAddress;
  if (context.plexTv) {
    try {
      publicAddress = await publish(context, publishBody(context, publicPort, true));
    } catch (error) {
      return settle(context, 'failed', 'publisherror', error instanceof Error ? error.message : String(error));
    }
  }
  if (publicPort === undefined) return settle(context, 'failed', '');
  const answer = await checkReachability(context, publicPort);
  state.lastReachability = {
    port: publicPort,
    reachable: answer.reachable,
    checked: answer.checked,
    error: answer.error,
  };
  if (answer.reachable) return settle(context, 'mapped', '', '', { publicAddress, publicPort });
  settle(context, 'failed', 'unreachable', answer.error ?? '');
}
