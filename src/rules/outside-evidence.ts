/**
 * What a reflector saw from outside (`probe.outside`), as rules may use it. Only a check that really came from
 * outside counts: vantage `reflector` (`outside: true`), a public source address, and that address agreeing with
 * plex.tv's view of ours. A hairpin, LAN or loopback reflector, or one that tested another of our addresses (multi-WAN,
 * a VPN), is never the internet's view: `outsideView` says why it does not count instead.
 * An identity counts as THIS server only when a real Plex identity (HTTP 200, a MediaContainer) names our
 * machineIdentifier: we compare the identifiers ourselves rather than trust a flag in the value.
 */
import type { Evidence } from '../core/finding.js';
import type { OutsideCheckValue } from '../collect/values/outside.js';
import type { FactsContext } from './facts.js';

export type OutsidePort = OutsideCheckValue['ports'][number];

/** How to get the outside view, for every notChecked / next step that would be stronger with it. */
export const HOW_TO_CHECK_OUTSIDE =
  'check from outside: --reflector URL --reflector-secret-file FILE (a reflector you run on a VPS connects back and says open, refused or filtered per port, and which server answers)';

export type OutsideView =
  { kind: 'ok'; value: OutsideCheckValue; source: Evidence } | { kind: 'none'; reason: string; howToCheck: string };

export function outsideView(ctx: FactsContext): OutsideView {
  const observation = ctx.observation('probe.outside');
  const none = (reason: string): OutsideView => ({ kind: 'none', reason, howToCheck: HOW_TO_CHECK_OUTSIDE });
  if (!observation) return none('nothing was checked from outside');
  if (observation.status === 'skipped') return none(`no outside check: ${observation.reason}`);
  if (observation.status === 'failed')
    return none(`the outside check failed (${observation.error.code}): ${observation.error.message}`);
  const value = observation.value;
  if (!value.outside || value.vantage !== 'reflector')
    return none(`the reflector's check is not from outside (${value.vantage}): ${value.vantageReason}`);
  if (value.sourceSeen.class !== 'public')
    return none(`the reflector saw us come from ${value.sourceSeen.address}, not a public address`);
  if (value.publicIp && value.publicIp.address !== value.sourceSeen.address)
    return none(
      `the reflector tested ${value.sourceSeen.address}, but plex.tv sees this network as ${value.publicIp.address}: it checked another path (a second WAN link, a VPN)`,
    );
  return {
    kind: 'ok',
    value,
    source: {
      source: 'probe.outside',
      observed: `reflector ${value.reflector.url} checked ${value.sourceSeen.address} from outside`,
    },
  };
}

/** The outside rules' shared start: the view when it counts, or undefined after saying why the rule is not checked. */
export function outsideViewOrNotChecked(
  ctx: FactsContext & { notChecked(info: { reason: string; howToCheck: string }): void },
): Extract<OutsideView, { kind: 'ok' }> | undefined {
  const view = outsideView(ctx);
  if (view.kind === 'ok') return view;
  ctx.notChecked({ reason: view.reason, howToCheck: view.howToCheck });
  return undefined;
}

export type IdentitySeen = 'this' | 'other' | 'not-plex' | 'none';

/** Which server answered /identity on a port the reflector opened. `none`: not asked, not open, or no answer. */
export function identitySeen(port: OutsidePort, expected: string | undefined): IdentitySeen {
  const identity = port.identity;
  if (port.tcp.state !== 'open' || identity?.status !== 'ok') return 'none';
  if (identity.bodyKind !== 'plex-identity' || identity.httpStatus !== 200 || !identity.machineIdentifier)
    return 'not-plex';
  if (!expected) return 'none';
  return identity.machineIdentifier.toLowerCase() === expected.toLowerCase() ? 'this' : 'other';
}

/** This server's machineIdentifier, as the outside check recorded it from server.identity (rules need not read it). */
export function expectedIdentity(view: OutsideCheckValue): string | undefined {
  return view.expectedMachineIdentifier;
}

export function plexPort(view: OutsideCheckValue): OutsidePort | undefined {
  return view.ports.find((p) => p.role === 'plex');
}

export const isClosed = (port: OutsidePort): boolean => port.tcp.state === 'refused' || port.tcp.state === 'filtered';

export function describePort(port: OutsidePort): string {
  const extra = port.tcp.code ? ` (${port.tcp.code})` : '';
  return `TCP ${port.port} ${port.tcp.state}${extra} from outside`;
}

/** The Plex port answered from outside as this server: remote access works, measured by our own reflector. */
export function plexReachedFromOutside(ctx: FactsContext): Evidence | undefined {
  const view = outsideView(ctx);
  if (view.kind !== 'ok') return undefined;
  const plex = plexPort(view.value);
  if (!plex || identitySeen(plex, expectedIdentity(view.value)) !== 'this') return undefined;
  return {
    source: 'probe.outside',
    observed: `a reflector (${view.value.reflector.url}) connected to ${view.value.sourceSeen.address}:${plex.port} and this server answered /identity`,
  };
}

export interface FrontDoor {
  /** The port that reaches this server over TLS (443, or the declared front door). */
  door: OutsidePort;
  plex: OutsidePort;
  evidence: Evidence[];
}

/**
 * A reverse proxy or tunnel by design: Plex's own port is closed from outside while another port reaches THIS server
 * through TLS (the handshake succeeded and /identity named our machineIdentifier). Not a fault.
 */
export function frontDoor(ctx: FactsContext): FrontDoor | undefined {
  const view = outsideView(ctx);
  if (view.kind !== 'ok') return undefined;
  const plex = plexPort(view.value);
  if (!plex || !isClosed(plex)) return undefined;
  const expected = expectedIdentity(view.value);
  const door = view.value.ports.find(
    (p) => p.role === 'forward' && p.tls?.status === 'ok' && identitySeen(p, expected) === 'this',
  );
  if (!door) return undefined;
  const names = door.tls?.status === 'ok' ? (door.tls.certificate?.subjectAltNames ?? []).slice(0, 3) : [];
  return {
    door,
    plex,
    evidence: [
      view.source,
      { source: 'probe.outside', observed: describePort(plex), expected: 'open (Plex direct)' },
      {
        source: 'probe.outside',
        observed: `TCP ${door.port} open, TLS handshake ok${names.length ? ` (${names.join(', ')})` : ''}, /identity names this server`,
      },
    ],
  };
}
