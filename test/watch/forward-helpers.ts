/** Reports whose snapshot carries a `probe.outside` answer (and optionally a UPnP table), for the forward watch. */
import type { Diagnosis, Report } from '../../src/core/report.js';
import type { Snapshot } from '../../src/core/snapshot.js';
import { report } from './helpers.js';

export type PortState = 'open' | 'refused' | 'filtered' | 'unreachable' | 'wrong-host';

export interface OutsideRun {
  /** External port → what the reflector met. A port left out is not in the answer. */
  ports?: Record<number, PortState>;
  /** The public address the reflector saw. @default 84.1.1.2 */
  wan?: string;
  /** The reflector refused or was down: probe.outside failed with this code. */
  down?: string;
  /** The UPnP table: the TCP ports it maps, and whether it was read to the end. */
  upnp?: { ports: number[]; complete: boolean };
  diagnoses?: Diagnosis[];
  vantage?: 'reflector' | 'loopback-test';
}

function upnpValue(upnp: NonNullable<OutsideRun['upnp']>): unknown {
  return {
    location: 'http://192.168.1.1:5000/rootDesc.xml',
    serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
    controlUrl: '/ctl/IPConn',
    wanServices: [],
    ssdpReplies: 1,
    externalIpStatus: 'ok',
    externalIp: '84.1.1.2',
    mappings: upnp.ports.map((port, index) => ({
      index,
      remoteHost: '',
      externalPort: port,
      protocol: 'TCP',
      internalPort: port,
      internalClient: '192.168.1.10',
      enabled: true,
      description: 'test',
      leaseSeconds: 0,
    })),
    mappingsComplete: upnp.complete,
    errors: [],
    notes: [],
  };
}

export function outsideReport(run: OutsideRun): Report {
  const base = report();
  const observations: Snapshot['observations'] = {};
  if (run.down) {
    observations['probe.outside'] = {
      status: 'failed',
      error: { code: run.down, message: 'the reflector refused (429 rate-limited): slow down' },
      durationMs: 5,
    };
  } else {
    const wan = run.wan ?? '84.1.1.2';
    observations['probe.outside'] = {
      status: 'ok',
      durationMs: 40,
      value: {
        protocolVersion: 1,
        vantage: run.vantage ?? 'reflector',
        outside: (run.vantage ?? 'reflector') === 'reflector',
        vantageReason: 'test',
        reflector: { url: 'https://reflector.example.net:8443/' },
        sourceSeen: { address: wan, class: 'public' },
        ports: Object.entries(run.ports ?? {}).map(([port, state]) => ({
          port: Number(port),
          role: 'forward',
          tcp: { state: state === 'wrong-host' ? 'open' : state },
          ...(state === 'wrong-host' ? { identityMatches: false } : {}),
        })),
      },
    };
  }
  if (run.upnp) observations['probe.upnp'] = { status: 'ok', durationMs: 3, value: upnpValue(run.upnp) };
  const snapshot: Snapshot = {
    schemaVersion: 1,
    tool: base.tool,
    createdAt: base.createdAt,
    durationMs: 50,
    target: base.target,
    context: base.context,
    redaction: { token: true, ips: false },
    observations,
  };
  return { ...base, diagnoses: run.diagnoses ?? [], snapshot };
}

/** Run times one minute apart, so "since" is checkable. */
export const at = (run: number): string => new Date(Date.UTC(2026, 11, 2, 10, run)).toISOString();
