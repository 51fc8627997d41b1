/**
 * Whether remote access works, as far as the evidence goes: plex.tv's connect-back (mappingState=mapped) is a
 * measurement from outside; "it fails from outside" may also be what the user said. Cause rules pass on the first
 * (whatever the cause would be, it does not block the outside) and suspect their cause while it is failing or unknown.
 */
import type { Evidence } from '../core/finding.js';
import { mappingFailed, mappingState, type FactsContext } from './facts.js';

/** plex.tv connected to the public endpoint: remote access works now. Reads server.account / server.root. */
export function reachedFromOutside(ctx: FactsContext): Evidence | undefined {
  const mapping = mappingState(ctx);
  if (mapping?.state !== 'mapped' || mapping.error) return undefined;
  return { source: mapping.source, observed: 'mappingState=mapped: plex.tv connected to the public endpoint' };
}

/** What says remote access fails: Plex's own check and/or the user's word (declared.remoteAccess). */
export function remoteTrouble(ctx: FactsContext): Evidence[] {
  const evidence: Evidence[] = [];
  const mapping = mappingState(ctx);
  if (mappingFailed(mapping))
    evidence.push({
      source: mapping!.source,
      observed: `mappingState=${mapping!.state ?? '(none)'}, mappingError=${mapping!.error || '(none)'}`,
    });
  if (ctx.get('declared.remoteAccess')?.failsFromOutside)
    evidence.push({ source: 'declared.remoteAccess', observed: 'remote access fails from outside', declared: true });
  return evidence;
}

/** Evidence for a pass, or what points to trouble; undefined when neither (remote access state unknown). */
export type RemoteState = { works: Evidence } | { fails: Evidence[] } | { unknown: true };

export function remoteState(ctx: FactsContext): RemoteState {
  const works = reachedFromOutside(ctx);
  if (works) return { works };
  const fails = remoteTrouble(ctx);
  return fails.length > 0 ? { fails } : { unknown: true };
}

/** What the rule says when it could not decide and remote access is not known to work. */
export const NOT_DECIDED_OUTSIDE = {
  reason: "Plex's own remote access check has no result and nothing else decides this cause",
  howToCheck: "give a token (so Plex's check is read), or tell what you see: --says-remote-fails",
};
