/**
 * `probe.outside` values for rule tests and corpus cases: what a reflector saw from outside, at HOME's public address
 * unless a case says otherwise. Built through the value schema, so a fixture cannot drift from what the collector
 * writes.
 */
import type { Observation } from '../../src/core/observation.js';
import { OutsideCheckValue } from '../../src/collect/values/outside.js';
import { HOME, ok } from '../../src/testing/observations.js';

export const REFLECTOR = '84.0.0.2';
export const OTHER_SERVER = 'ffffffffffffffffffffffffffffffffffffffff';

type Port = OutsideCheckValue['ports'][number];
type State = Port['tcp']['state'];

/** Plex's public port, from outside: by default open, and /identity names this server. */
export function plexPort(
  state: State = 'open',
  machineIdentifier: string = HOME.machineIdentifier,
  port = 32400,
): Port {
  return {
    port,
    role: 'plex',
    portSource: 'default',
    tcp: state === 'open' ? { state, rttMs: 20 } : { state, code: state === 'filtered' ? 'ETIMEDOUT' : 'ECONNREFUSED' },
    ...(state === 'open'
      ? {
          tls: { status: 'ok' as const, authorized: false },
          identity: { status: 'ok' as const, httpStatus: 200, bodyKind: 'plex-identity' as const, machineIdentifier },
        }
      : {}),
  };
}

/** Another forward through the same router: open (TCP only) unless said otherwise. */
export function forwardPort(port: number, state: State = 'open'): Port {
  return {
    port,
    role: 'forward',
    tcp: state === 'open' ? { state, rttMs: 20 } : { state, code: state === 'filtered' ? 'ETIMEDOUT' : 'ECONNREFUSED' },
  };
}

/** A front door: TLS ok and /identity (over HTTPS) names `machineIdentifier`. */
export function frontDoorPort(port = 443, machineIdentifier: string = HOME.machineIdentifier): Port {
  return {
    port,
    role: 'forward',
    tcp: { state: 'open', rttMs: 20 },
    tls: {
      status: 'ok',
      authorized: true,
      certificate: { subjectAltNames: ['DNS:plex.example.net'], coversHost: false },
    },
    identity: { status: 'ok', httpStatus: 200, bodyKind: 'plex-identity', machineIdentifier },
  };
}

export interface OutsideSpec {
  ports: Port[];
  vantage?: OutsideCheckValue['vantage'];
  /** The address the reflector saw (and so checked). @default HOME.wan */
  source?: string;
  /** plex.tv's view of our address; null for none. @default HOME.wan */
  publicIp?: string | null;
  expected?: string | null;
}

export function outsideValue(spec: OutsideSpec): OutsideCheckValue {
  const vantage = spec.vantage ?? 'reflector';
  const source = spec.source ?? HOME.wan;
  const publicIp = spec.publicIp === undefined ? HOME.wan : spec.publicIp;
  const expected = spec.expected === undefined ? HOME.machineIdentifier : spec.expected;
  return OutsideCheckValue.parse({
    protocolVersion: 1,
    vantage,
    outside: vantage === 'reflector',
    vantageReason: vantage === 'reflector' ? 'a reflector at a public address' : `a ${vantage} check`,
    reflector: {
      url: `http://${vantage === 'hairpin' ? HOME.wan : REFLECTOR}:8443/`,
      address: vantage === 'hairpin' ? HOME.wan : REFLECTOR,
      addressClass: 'public',
    },
    sourceSeen: { address: source, class: /^(10|192\.168)\./.test(source) ? 'private' : 'public' },
    ...(publicIp ? { publicIp: { address: publicIp, agrees: publicIp === source } } : {}),
    ...(expected ? { expectedMachineIdentifier: expected } : {}),
    ports: spec.ports,
  });
}

export const outside = (spec: OutsideSpec): Observation => ok(outsideValue(spec));
