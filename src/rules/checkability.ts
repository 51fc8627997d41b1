/**
 * How to make a check checkable: when a rule's required observation is missing, failed or skipped, the check ends
 * `not-checked`, and the user is told what would let it run. One table, so every rule says it the same way.
 */
import type { Observation } from '../core/observation.js';

const TOKEN = 'give a token (--token or PLEX_TOKEN, or run on the server host so it is found)';

/** What would make an observation available; keyed by observation id, then by id prefix. */
const HOW: Record<string, string> = {
  'server.identity': "make the server answer at the URL given (see the server check's finding)",
  'server.root': TOKEN,
  'server.prefs': TOKEN,
  'server.account': TOKEN,
  'plextv.': `${TOKEN}, and let plex.tv be consulted (drop --no-plextv)`,
  'probe.upnp':
    "no UPnP answer: the router's forwards can't be read; turn UPnP on in the router, or state your forwards with --forward 32400:192.168.1.10:32400",
  'probe.natpmp':
    "no NAT-PMP answer: the router's mappings can't be read; state your forwards with --forward 32400:192.168.1.10:32400",
  'probe.host': "run plex-diagnose on the server's own host (it reads that machine's interfaces and routes)",
  'probe.plexDirectDns': 'run on a machine on the same LAN as the server, with its usual DNS resolver',
  'declared.': 'state it on the command line (see plex-diagnose --help, "What you know")',
};

export function howToCheckFor(id: string, observation: Observation | undefined): string {
  const exact = HOW[id];
  const prefix = Object.entries(HOW).find(([key]) => key.endsWith('.') && id.startsWith(key))?.[1];
  const hint = exact ?? prefix;
  // A failed API call is not cured by the generic hint, except a rejected token (401), which a new token cures.
  if (observation?.status === 'failed' && (id.startsWith('server.') || id.startsWith('plextv.')))
    return observation.error.status === 401 ? `${TOKEN} that is valid` : `fix what made ${id} fail, then run again`;
  return hint ?? `collect ${id} (enable a rule or collector that needs it)`;
}

/** Why a required observation is not usable, or undefined when it is. */
export function requirementGap(
  requires: readonly string[],
  observations: Record<string, Observation>,
): { reason: string; howToCheck: string } | undefined {
  for (const id of requires) {
    const observation = observations[id];
    const howToCheck = howToCheckFor(id, observation);
    if (!observation) return { reason: `${id} was not collected`, howToCheck };
    if (observation.status === 'failed')
      return { reason: `needs ${id}, which failed: ${observation.error.message}`, howToCheck };
    if (observation.status === 'skipped')
      return { reason: `needs ${id}, which was skipped: ${observation.reason}`, howToCheck };
  }
  return undefined;
}
