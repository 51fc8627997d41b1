/**
 * Why a forward broke, from the evidence of the run that confirmed it and of the last run it worked. Each cause needs
 * its own proof; without one the answer is `unknown`, with what would tell:
 *
 * - wrong-host: the port answered /identity as ANOTHER Plex server (the forward points elsewhere).
 * - wan-changed: the public address the reflector saw is not the one it saw the last time the forward worked.
 * - mapping-gone: the router's UPnP table held this port when it worked and, read completely, holds it no more.
 * - host-down: the forward's LAN side (`--forward ext:host:port`) does not answer from here either.
 * - filtered-upstream: the reflector's connection times out while the router holds the mapping and the host answers on
 *   the LAN: something between the router and the internet (the ISP) drops it.
 * - not-forwarded: the public address actively refuses while the host answers on the LAN: the router answers for the
 *   port itself instead of forwarding it (a deleted or disabled forward), or the host rejects outside sources.
 */
import type { TcpState } from '../probes/tcp.js';
import type { ForwardCauseKey } from './alert.js';
import type { ForwardSpec, PortSeen } from './forward-evidence.js';

export interface ForwardCause {
  key: ForwardCauseKey;
  /** One sentence naming the forward's facts (addresses, ports); no secrets are in scope here. */
  message: string;
  /** What to do, or (for unknown) what would tell. */
  fix: string;
}

export interface CauseInput {
  spec: ForwardSpec;
  seen: PortSeen;
  /** The LAN side probed from here this run (only when `spec.host` is known). */
  lan: TcpState | undefined;
  /** The public address this run, and the one of the last run the forward worked. */
  wanNow: string;
  wanWhenOpen: string | undefined;
  /** Whether the UPnP table held the port the last time it worked. */
  mappedWhenOpen: boolean | undefined;
}

function lanSide(spec: ForwardSpec): string | undefined {
  return spec.host && spec.internalPort
    ? `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.internalPort}`
    : undefined;
}

export function forwardCause(input: CauseInput): ForwardCause {
  const { spec, seen, lan } = input;
  const port = spec.externalPort;
  const target = lanSide(spec);
  const lanOpen = lan === 'open';
  if (seen.seen === 'another server')
    return {
      key: 'wrong-host',
      message: `Port ${port} answers from outside as another Plex server: the forward reaches a different host.`,
      fix: `Point the router's forward of port ${port} at ${target ?? 'this server'}.`,
    };
  if (input.wanWhenOpen && input.wanWhenOpen !== input.wanNow)
    return {
      key: 'wan-changed',
      message: `The public address changed from ${input.wanWhenOpen} to ${input.wanNow} since port ${port} last worked.`,
      fix: `Check that the new address ${input.wanNow} is the router's own WAN address (not a carrier NAT or a backup link), and update any DNS name that points at the old one.`,
    };
  if (input.mappedWhenOpen === true && seen.mapped === false)
    return {
      key: 'mapping-gone',
      message: `The router's UPnP mapping of port ${port} is gone (it was there while the forward worked).`,
      fix: `Restart the program that created the mapping (Plex re-creates its own), or make a static forward of port ${port} on the router.`,
    };
  if (target && lan !== undefined && !lanOpen)
    return {
      key: 'host-down',
      message: `${target}, where port ${port} is forwarded, does not answer on the LAN either (${lan}).`,
      fix: `Start the service on ${target} (or the machine itself), and check its firewall.`,
    };
  if (seen.seen === 'filtered' && seen.mapped === true && (lanOpen || !target))
    return {
      key: 'filtered-upstream',
      message: `Connections from outside to port ${port} time out although the router holds the mapping${lanOpen ? ` and ${target} answers on the LAN` : ''}: something upstream drops them.`,
      fix: `Ask your ISP whether it filters inbound port ${port}, or move the forward to another external port.`,
    };
  if (seen.seen === 'refused' && lanOpen)
    return {
      key: 'not-forwarded',
      message: `Your public address refuses port ${port} although ${target} answers on the LAN: the router does not forward it (or the host rejects outside sources).`,
      fix: `Check the router's forward of port ${port} to ${target} (deleted, disabled, or pointed elsewhere).`,
    };
  return {
    key: 'unknown',
    message: `Port ${port} is ${seen.seen} from outside; cause unknown.`,
    fix: whatWouldTell(input),
  };
}

function whatWouldTell(input: CauseInput): string {
  const hints: string[] = [];
  if (!input.spec.host) hints.push(`--forward ${input.spec.externalPort}:<host>:<port> (so its LAN side is probed)`);
  else if (input.lan === undefined) hints.push('a probe of its LAN side (it did not run)');
  if (input.seen.mapped === undefined) hints.push("the router's UPnP table (not readable this run)");
  if (input.seen.seen === 'filtered')
    hints.push('whether another port through the same router is open from outside (then the ISP filters this one)');
  return hints.length
    ? `What would tell: ${hints.join('; ')}.`
    : `Check the router's forward of port ${input.spec.externalPort}.`;
}
