/** The reflector's knobs, each with the default a public deployment should keep, and why. */
import { DEFAULT_PORT_DEADLINES, type PortDeadlines } from './check-port.js';

export interface ReflectorLimits {
  /** How far a request's timestamp may be from the reflector's clock, either way. @default 60000 */
  clockSkewMs: number;
  /** Nonces remembered at once (each for twice the skew window, the life of a valid timestamp). @default 10000 */
  nonceCacheSize: number;
  /** Requests one source address may make at once after a quiet spell. @default 4 */
  burst: number;
  /** A source gets one more request every this many ms (4 per minute: a watch cycle needs one). @default 15000 */
  refillMs: number;
  /** Source addresses tracked by the rate limiter at once; past this, new sources are refused. @default 4096 */
  maxSources: number;
  /** Checks in flight at once, all sources together (each may hold 8 connections open). @default 8 */
  maxConcurrentChecks: number;
  /** Checks in flight at once from one source. @default 1 */
  maxChecksPerSource: number;
  /** Deadline for a whole check, every port together. @default 15000 */
  checkDeadlineMs: number;
  /** Time a client has to send its request headers. @default 5000 */
  headersTimeoutMs: number;
  /** Time a client has to send its whole request (headers and body). @default 10000 */
  requestTimeoutMs: number;
  /** Request header bytes accepted. @default 8192 */
  maxHeaderBytes: number;
  /** Open connections accepted at once. @default 256 */
  maxConnections: number;
  /**
   * Open connections from one source (an IPv4 address, an IPv6 /64) at once; more are closed on arrival, so one
   * address cannot take every slot of `maxConnections`. A client needs one. @default 8
   */
  maxConnectionsPerSource: number;
}

export const DEFAULT_REFLECTOR_LIMITS: ReflectorLimits = {
  clockSkewMs: 60_000,
  nonceCacheSize: 10_000,
  burst: 4,
  refillMs: 15_000,
  maxSources: 4096,
  maxConcurrentChecks: 8,
  maxChecksPerSource: 1,
  checkDeadlineMs: 15_000,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  maxHeaderBytes: 8192,
  maxConnections: 256,
  maxConnectionsPerSource: 8,
};

export interface ReflectorOptions {
  /** The shared secret (at least 32 characters). Never logged, never sent. */
  secret: string;
  /** @default DEFAULT_REFLECTOR_LIMITS */
  limits?: Partial<ReflectorLimits>;
  /** Per-port deadlines for the connect-back. @default { tcpMs: 3000, tlsMs: 4000, identityMs: 5000 } */
  deadlines?: Partial<PortDeadlines>;
  /** Receives one line per check or refusal (no secret, no signature, no body). @default no logging */
  log?: (line: string) => void;
  /** The clock (unix ms), for tests of expiry. @default Date.now */
  now?: () => number;
}

export interface ResolvedReflectorOptions {
  secret: string;
  limits: ReflectorLimits;
  deadlines: PortDeadlines;
  log: (line: string) => void;
  now: () => number;
}

export function resolveReflectorOptions(options: ReflectorOptions): ResolvedReflectorOptions {
  return {
    secret: options.secret,
    limits: { ...DEFAULT_REFLECTOR_LIMITS, ...options.limits },
    deadlines: { ...DEFAULT_PORT_DEADLINES, ...options.deadlines },
    log: options.log ?? (() => undefined),
    now: options.now ?? Date.now,
  };
}
