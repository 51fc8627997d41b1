/**
 * Which server, and with which token. No --url: GDM discovery on the LAN, then http://127.0.0.1:32400. Several servers:
 * ask on a TTY, else fail listing them (a script must not pick one silently). The token comes from the flag,
 * PLEX_TOKEN, the login config or the server's own Preferences.xml; without one the token-free checks still run.
 * A server found by GDM gets the token only when plex.tv proves it is the account's own (decideTokenRecipient).
 */
import { escapeTerminal } from '../core/escape.js';
import { UsageError } from '../core/errors.js';
import { discoverGdm, type GdmServer } from '../probes/gdm.js';
import { parseHostPort } from '../probes/udp.js';
import { createServerClient } from '../clients/server/client.js';
import { discoverToken, type DiscoveredToken } from '../this-host/discover-token.js';
import { clientIdentifierOrEphemeral } from '../this-host/config-file.js';
import { decideTokenRecipient } from '../diagnose/token-recipient.js';
import type { CliOutput } from './output.js';
import { ask } from './prompt.js';
import type { CollectSettings } from './validate-flags.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:32400';

export interface ResolvedTarget {
  url: string;
  source: 'flag' | 'gdm' | 'default';
  /** Servers GDM found (for messages). */
  discovered: GdmServer[];
}

function serverUrl(server: GdmServer): string {
  const host = server.address.includes(':') ? `[${server.address}]` : server.address;
  return `http://${host}:${server.port ?? 32400}`;
}

export async function resolveTarget(settings: CollectSettings, output: CliOutput): Promise<ResolvedTarget> {
  if (settings.url) return { url: settings.url, source: 'flag', discovered: [] };
  const targets = settings.network.gdmTargets?.map((text) => parseHostPort(text, 32414)!);
  const found = await discoverGdm({ timeoutMs: 1500, signal: output.streams.signal, ...(targets ? { targets } : {}) });
  const servers = found.status === 'ok' ? found.value.servers : [];
  if (servers.length === 0) return { url: DEFAULT_SERVER_URL, source: 'default', discovered: [] };
  if (servers.length === 1) return { url: serverUrl(servers[0]!), source: 'gdm', discovered: servers };
  // Names come from whatever answered the broadcast: escaped, so one cannot forge lines of the list.
  const listing = servers
    .map((s, i) => `  ${i + 1}. ${escapeTerminal(s.name ?? s.machineIdentifier)} at ${escapeTerminal(serverUrl(s))}`)
    .join('\n');
  if (output.streams.stdin.isTTY && output.streams.stderr.isTTY) {
    output.err(`Several Plex servers answered on this network:\n${listing}\n`);
    const answer = await ask(output.streams, `Which one? [1-${servers.length}] `);
    const index = Number(answer) - 1;
    if (Number.isInteger(index) && servers[index])
      return { url: serverUrl(servers[index]), source: 'gdm', discovered: servers };
    throw new UsageError('no server chosen; pass --url');
  }
  throw new UsageError(`several Plex servers answered; pass --url with one of them:\n${listing}`);
}

/** Deadline of the /identity check of a token found in a server's own preferences. */
const IDENTITY_CHECK_MS = 5000;

/** A token found but not sent to the target, and why (for people; never the token). */
export interface ResolvedToken extends DiscoveredToken {
  withheld?: string;
}

const clientIdentifiers = new WeakMap<CliOutput, Promise<string>>();

/**
 * This installation's X-Plex-Client-Identifier, once per run. A config directory that cannot be written costs only
 * its stability: an ephemeral one, with one note, and the run goes on.
 */
export function clientIdentifierFor(output: CliOutput): Promise<string> {
  let pending = clientIdentifiers.get(output);
  if (!pending) {
    pending = clientIdentifierOrEphemeral({ env: output.streams.env }).then((result) => {
      if (!result.persisted)
        output.err(
          `note: ${result.problem}: using a one-time client identifier for this run (plex.tv may list this run as a new device)\n`,
        );
      return result.clientIdentifier;
    });
    clientIdentifiers.set(output, pending);
  }
  return pending;
}

/**
 * The token for `target`. One read from a server's own preferences (Preferences.xml, plist, registry) is used only
 * for that server: on a host with a Plex install, `--url` may name another server, and the owner's token must not
 * go to it (design.md: the token goes only to the PMS it belongs to and to plex.tv). The target's `/identity`
 * (asked without a token) must name the MachineIdentifier stored next to the token. A target the user did not name
 * (found by GDM) gets any token only when decideTokenRecipient proves it is the account's own server.
 */
export async function resolveToken(
  settings: CollectSettings,
  output: CliOutput,
  target: ResolvedTarget,
): Promise<ResolvedToken> {
  const found = await discoverToken({
    ...(settings.token !== undefined ? { flag: settings.token } : {}),
    env: output.streams.env,
  });
  if (!found.token) return found;
  output.secrets.push(found.token);
  if (found.source === 'preferences' && found.machineIdentifier) {
    const mismatch = await otherServer(
      target.url,
      found.machineIdentifier,
      Math.min(settings.timeoutMs, IDENTITY_CHECK_MS),
      output.streams.signal,
    );
    if (mismatch) {
      return {
        tried: [
          ...found.tried,
          {
            source: 'preferences',
            ...(found.path ? { path: found.path } : {}),
            outcome: 'other-server',
            detail: `${found.path ?? 'the server preferences'}: ${mismatch}`,
          },
        ],
      };
    }
  }
  const origin = target.source === 'flag' ? 'user' : target.source === 'default' ? 'this-host' : 'discovered';
  const plexTv =
    settings.plexTv === false || origin !== 'discovered'
      ? settings.plexTv
      : { ...settings.plexTv, clientIdentifier: await clientIdentifierFor(output) };
  const decision = await decideTokenRecipient({
    url: target.url,
    origin,
    token: found.token,
    plexTv,
    timeoutMs: Math.min(settings.timeoutMs, IDENTITY_CHECK_MS),
    signal: output.streams.signal,
  });
  if (decision.send) return found;
  return {
    tried: found.tried,
    ...(found.source ? { source: found.source } : {}),
    ...(found.path ? { path: found.path } : {}),
    withheld: decision.detail,
  };
}

/** Why the server at `url` is not the one with `machineIdentifier`, or undefined when it is. */
async function otherServer(
  url: string,
  machineIdentifier: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const identity = await createServerClient({ baseUrl: url, timeoutMs, signal }).identity();
    if (identity.machineIdentifier === machineIdentifier) return undefined;
    return `its token belongs to server ${machineIdentifier}, and ${url} is server ${identity.machineIdentifier}: not sent there`;
  } catch (error) {
    return `its token belongs to server ${machineIdentifier}, and ${url} could not be asked which server it is (${error instanceof Error ? error.message : String(error)}): not sent there`;
  }
}

/** A one-line account of where the token came from, or why there is none (never the token itself). */
export function describeToken(found: ResolvedToken): string {
  if (found.withheld) {
    const from =
      found.source === 'flag'
        ? '--token'
        : found.source === 'env'
          ? 'PLEX_TOKEN'
          : found.source === 'config'
            ? 'the login config'
            : "the server's preferences";
    return `token (from ${from}) NOT sent: ${found.withheld}; running the checks that need none`;
  }
  switch (found.source) {
    case 'flag':
      return 'token: from --token';
    case 'env':
      return 'token: from PLEX_TOKEN';
    case 'config':
      return `token: from the login config (${found.path})`;
    case 'preferences':
      return `token: from the server's preferences (${found.path})`;
    default: {
      // A config file without a token is what any earlier run leaves (it keeps the client identifier): not logging in
      // is the "no login" of the standard list, not a reason of its own.
      const reasons = found.tried
        .filter((t) => t.outcome !== 'not-found' && !(t.source === 'config' && t.outcome === 'no-token'))
        .map((t) => t.detail);
      return `no token found (${reasons.length ? reasons.join('; ') : 'no --token, no PLEX_TOKEN, no login, no readable Preferences.xml'}): running the checks that need none; \`plex-diagnose login\` gets one`;
    }
  }
}
