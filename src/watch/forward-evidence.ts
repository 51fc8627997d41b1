/**
 * What one run says about each monitored forward: read from the run's evidence (the report's snapshot), never from
 * the network. The reflector's `probe.outside` decides open or broken per external port; the router's UPnP table and
 * the rules' findings only feed the cause. A run whose outside check did not happen (reflector down, rate-limited,
 * no snapshot) is `available: false`: it says nothing about any forward, good or bad.
 */
import type { Diagnosis, Report } from '../core/report.js';
import { OutsideCheckValue } from '../collect/values/outside.js';
import { UpnpProbeValue } from '../probes/upnp/schema.js';

/** A forward to monitor: the external port the reflector checks, and what the user said it points at. */
export interface ForwardSpec {
  externalPort: number;
  /** The LAN host the router forwards to (from `--forward ext:host:port`); probed from here to tell "host down". */
  host?: string;
  internalPort?: number;
  /** The user's name for it ("nas", "ssh"). */
  label?: string;
}

/** One forward in one run. `open` needs the TCP handshake and, when the identity was asked, this server answering. */
export interface PortSeen {
  verdict: 'open' | 'broken';
  /** What the reflector met: open, refused, filtered, unreachable, error, or "another server". */
  seen: string;
  /** The router's UPnP table holds a TCP mapping of this port (undefined: the table was not read completely). */
  mapped: boolean | undefined;
  /** A rule's finding about this very port (its data names the port), most important first. */
  finding: Diagnosis | undefined;
}

export type CycleEvidence =
  | { available: false; reason: string }
  | {
      available: true;
      /** True only for a reflector at a public address (see src/outside/vantage.ts); loopback tests say false. */
      outside: boolean;
      vantage: string;
      /** The address the reflector saw us come from: this network's public (WAN) address at that moment. */
      wan: string;
      /** By external port; a monitored port missing here was not in the answer (no verdict this run). */
      ports: Map<number, PortSeen>;
    };

/** Keys of a diagnosis's data that name a port (rules name the forward they speak about with one of these). */
const PORT_KEYS = ['port', 'externalPort', 'publicPort', 'forwardPort'] as const;

function findingFor(report: Report, port: number): Diagnosis | undefined {
  return report.diagnoses.find(
    (d) =>
      d.rank !== 'info' &&
      d.severity !== 'info' &&
      PORT_KEYS.some((key) => d.data[key] === port || d.data[key] === String(port)),
  );
}

function upnpMapped(report: Report, port: number): boolean | undefined {
  const observation = report.snapshot?.observations['probe.upnp'];
  if (observation?.status !== 'ok') return undefined;
  const parsed = UpnpProbeValue.safeParse(observation.value);
  if (!parsed.success) return undefined;
  const held = parsed.data.mappings.some(
    (m) => m.externalPort === port && m.protocol.toUpperCase() === 'TCP' && m.enabled,
  );
  // An entry seen is proof; its absence is proof only when the whole table was read.
  return held ? true : parsed.data.mappingsComplete ? false : undefined;
}

export function cycleEvidence(report: Report): CycleEvidence {
  if (!report.snapshot)
    return { available: false, reason: 'the report carries no evidence (analyze with includeSnapshot)' };
  const observation = report.snapshot.observations['probe.outside'];
  if (!observation) return { available: false, reason: 'no outside check ran (give --reflector)' };
  if (observation.status === 'skipped') return { available: false, reason: observation.reason };
  if (observation.status === 'failed')
    return { available: false, reason: `${observation.error.code}: ${observation.error.message}` };
  const parsed = OutsideCheckValue.safeParse(observation.value);
  if (!parsed.success) return { available: false, reason: 'the outside check recorded an unreadable answer' };
  const value = parsed.data;
  const ports = new Map<number, PortSeen>();
  for (const result of value.ports) {
    const wrongHost = result.identityMatches === false;
    const open = result.tcp.state === 'open' && !wrongHost;
    ports.set(result.port, {
      verdict: open ? 'open' : 'broken',
      seen: wrongHost ? 'another server' : result.tcp.state,
      mapped: upnpMapped(report, result.port),
      finding: findingFor(report, result.port),
    });
  }
  return { available: true, outside: value.outside, vantage: value.vantage, wan: value.sourceSeen.address, ports };
}
