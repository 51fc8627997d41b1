/**
 * Which server, and with which token. No --url: GDM discovery on the LAN, then http://127.0.0.1:32400. Several servers:
 * ask on a TTY, else fail listing them (a script must not pick one silently). The token comes from the flag,
 * PLEX_TOKEN, the login config or the server's own Preferences.xml; without one the token-free checks still run.
 */
import { UsageError } from '../errors.js';
import { discoverGdm, type GdmServer } from '../probes/gdm.js';
import { parseHostPort } from '../probes/udp.js';
import { discoverToken, type DiscoveredToken } from './token.js';
import type { CliOutput } from './io.js';
import { ask } from './prompt.js';
import type { CollectSettings } from './settings.js';

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
  const listing = servers.map((s, i) => `  ${i + 1}. ${s.name ?? s.machineIdentifier} at ${serverUrl(s)}`).join('\n');
  if (output.streams.stdin.isTTY && output.streams.stderr.isTTY) {
    output.err(`Several Plex servers answered on this network:\n${listing}\n`);
    const answer = await ask(output.streams, `Which one? [1-${servers.length}] `);
    const index = Number(answer) - 1;
    if (Number.isInteger(index) && servers[index]) return { url: serverUrl(servers[index]!), source: 'gdm', discovered: servers };
    throw new UsageError('no server chosen; pass --url');
  }
  throw new UsageError(`several Plex servers answered; pass --url with one of them:\n${listing}`);
}

export async function resolveToken(settings: CollectSettings, output: CliOutput): Promise<DiscoveredToken> {
  const found = await discoverToken({ ...(settings.token !== undefined ? { flag: settings.token } : {}), env: output.streams.env });
  if (found.token) output.secrets.push(found.token);
  return found;
}

/** A one-line account of where the token came from, or why there is none (never the token itself). */
export function describeToken(found: DiscoveredToken): string {
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
      const reasons = found.tried.filter((t) => t.outcome !== 'not-found').map((t) => t.detail);
      return `no token found (${reasons.length ? reasons.join('; ') : 'no --token, no PLEX_TOKEN, no login, no readable Preferences.xml'}): running the checks that need none; \`plex-diagnose login\` gets one`;
    }
  }
}
