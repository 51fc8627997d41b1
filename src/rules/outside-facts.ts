/**
 * Whether remote access works, as far as the evidence goes: plex.tv's connect-back (mappingState=mapped) is a
 * measurement from outside; "it fails from outside" may also be what the user said. Cause rules pass on the first
 * (whatever the cause would be, it does not block the outside) and suspect their cause while it is failing or unknown.
 */
import type { Evidence } from '../core/finding.js';
import type { NextStep } from '../core/report.js';
import { classifyAddress } from '../core/net/address.js';
import {
  mappingFailed,
  mappingState,
  routerWan,
  serverPublicAddress,
  thisMachinePublicAddress,
  vantage,
  type FactsContext,
} from './facts.js';
import { frontDoor, HOW_TO_CHECK_OUTSIDE, plexReachedFromOutside } from './outside-evidence.js';
import type { RuleContext } from './types.js';

/**
 * Remote access works now: plex.tv connected to the public endpoint, or our own reflector (from a real outside
 * vantage, never a hairpin) reached this server on Plex's port or through a front door (a reverse proxy or tunnel).
 * Reads server.account / server.root / probe.outside.
 */
export function reachedFromOutside(ctx: FactsContext): Evidence | undefined {
  const mapping = mappingState(ctx);
  if (mapping?.state === 'mapped' && !mapping.error)
    return { source: mapping.source, observed: 'mappingState=mapped: plex.tv connected to the public endpoint' };
  const direct = plexReachedFromOutside(ctx);
  if (direct) return direct;
  const door = frontDoor(ctx);
  if (door)
    return {
      source: 'probe.outside',
      observed: `the internet reaches this server through the front door on TCP ${door.door.port} (a reverse proxy or tunnel), by design`,
    };
  return undefined;
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
  howToCheck: `give a token (so Plex's check is read), or tell what you see: --says-remote-fails; stronger: ${HOW_TO_CHECK_OUTSIDE}`,
};

/**
 * The shared start of the rules Plex's connect-back decides: pass when the outside (or Plex's check) says remote
 * access works, else leave the rule undecided here (a finding may still decide it); returns the state for the rest.
 */
export function passOrDeferToOutside(
  ctx: FactsContext & Pick<RuleContext<string>, 'pass' | 'notChecked'>,
): RemoteState {
  const remote = remoteState(ctx);
  if ('works' in remote) ctx.pass({ evidence: [remote.works] });
  else ctx.notChecked(NOT_DECIDED_OUTSIDE);
  return remote;
}

/** What an upstream NAT (cgnat, double-nat) explains: every symptom of nothing inbound reaching the router. */
export const EXPLAINED_BY_UPSTREAM_NAT = [
  'mapping-failed',
  'no-port-forward',
  'isp-blocks-port',
  'relay-only',
  'manual-port-mismatch',
  'outside-reachability',
  'outside-port-closed',
] as const;

/**
 * The upstream-NAT rules' shared start (cgnat, double-nat): pass when Plex's check (or the outside) says remote access
 * works, else leave it undecided here; and when it fails while the router's WAN address cannot be read, or `pointsTo`
 * holds other signs (plex.tv seeing the server from another address), suspect this cause, with the one step that
 * would decide it.
 */
export function passOrSuspectUpstreamNat(
  ctx: FactsContext & Pick<RuleContext<'suspected'>, 'pass' | 'notChecked' | 'suspect'>,
  nextStep: NextStep,
  pointsTo: Evidence[] = [],
): void {
  const remote = passOrDeferToOutside(ctx);
  if ('works' in remote) return;
  const failing =
    'fails' in remote && routerWan(ctx).status !== 'ok'
      ? [
          ...remote.fails,
          { source: 'router', observed: "the router's WAN address could not be read (no UPnP or NAT-PMP answer)" },
        ]
      : [];
  if (failing.length + pointsTo.length > 0)
    ctx.suspect({ messageId: 'suspected', for: [...failing, ...pointsTo], nextStep, likelihood: 'low' });
}

/** A "public" address plex.tv recorded for the server that is not public: private (double NAT) or shared (CGNAT). */
export interface UnroutablePublished {
  address: string;
  kind: 'private' | 'cgnat';
  evidence: Evidence;
}

/**
 * The Remote Access page's "Public" address (from /myplex/account, else plex.tv's device record) in a private or shared
 * range: the server's traffic reaches plex.tv through another NAT that plex.tv sees from inside, evidence on its own
 * from any vantage (no router answer needed). Only when the router's WAN could not be read: a readable WAN decides.
 */
export function unroutablePublished(ctx: FactsContext): UnroutablePublished | undefined {
  if (routerWan(ctx).status === 'ok') return undefined;
  const published = serverPublicAddress(ctx);
  if (!published) return undefined;
  const kind = classifyAddress(published.address);
  if (kind !== 'private' && kind !== 'cgnat') return undefined;
  return {
    address: published.address,
    kind,
    evidence: {
      source: published.source,
      observed: `public address ${published.address} (${kind === 'cgnat' ? 'shared address space' : 'a private address'})`,
      expected: 'a public address',
    },
  };
}

/**
 * plex.tv's `publicAddressMatches=false`: the server reached plex.tv from another public address than this machine.
 * From the server's LAN that means the server egresses another way (a VPN or proxy on it, or an ISP NAT pool); from
 * elsewhere it is expected, so it counts only when this run is not known to be elsewhere.
 */
export function egressMismatch(ctx: FactsContext): Evidence | undefined {
  if (vantage(ctx) === 'elsewhere' || ctx.get('probe.host')?.vpn.active) return undefined;
  const server = ctx.get('plextv.resources')?.server;
  if (server?.publicAddressMatches !== false) return undefined;
  const here = thisMachinePublicAddress(ctx);
  const differs = here && server.publicAddress && here.address !== server.publicAddress;
  return {
    source: 'plextv.resources',
    observed: `publicAddressMatches=false: plex.tv sees the server${server.publicAddress ? ` at ${server.publicAddress}` : ''} from another address than this machine${differs ? ` (${here.address})` : ''}`,
    expected: 'the same public address (this run looks from the server or its LAN)',
  };
}
