/**
 * TCP reachability: can anything complete a handshake on `host:port`? The answer is one of open, refused (a host
 * answered with RST: reachable, nothing listening or a firewall rejecting), filtered (no answer at all before the
 * deadline: a firewall dropping, an ISP block, a NAT with no forward), unreachable (ICMP host/network unreachable),
 * or a DNS failure for names. Rules tell "ISP blocks 32400" from "no forward" from these states.
 */
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { z } from 'zod';
import { describeCode, errorCodeOf, phaseOfCode } from '../http/network-error.js';
import { ProbeFailure, runProbe, type ProbeOptions, type ProbeResult } from './types.js';

export const TcpProbeValue = z.object({
  /** The address the handshake completed with (a name's resolved address). */
  address: z.string(),
  port: z.number().int(),
  family: z.union([z.literal(4), z.literal(6)]),
  /** Handshake time (SYN sent to connection established), DNS excluded, 0.1 ms resolution. */
  rttMs: z.number(),
});
export type TcpProbeValue = z.infer<typeof TcpProbeValue>;

export interface TcpProbeOptions extends ProbeOptions {
  /** Deadline for DNS plus the handshake. A silent (filtered) port fails with phase `timeout` at this point. @default 3000 */
  timeoutMs?: number;
  /** Only use addresses of this family when `host` is a name. @default undefined (both, in resolver order) */
  family?: 4 | 6;
}

export const DEFAULT_TCP_TIMEOUT_MS = 3000;

export type TcpState = 'open' | 'refused' | 'filtered' | 'unreachable' | 'dns-failed' | 'error';

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * Opens a TCP connection to `host:port` and closes it at once (nothing is sent). `host` is an IP literal (IPv6 with or
 * without brackets, zone ids allowed) or a name. A name's addresses are tried in resolver order until one answers,
 * all under the one deadline; the failure reported is the last address's.
 */
export function probeTcp(
  host: string,
  port: number,
  options: TcpProbeOptions = {},
): Promise<ProbeResult<TcpProbeValue>> {
  return runProbe({ ...options, defaultTimeoutMs: DEFAULT_TCP_TIMEOUT_MS }, async (signal) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ProbeFailure({ phase: 'connect', code: 'EINVAL', message: `invalid port ${String(port)}` });
    }
    const addresses = await resolveHost(stripBrackets(host.trim()), options.family);
    let lastError: unknown;
    for (const address of addresses) {
      signal.throwIfAborted();
      try {
        return await connectOnce(address.address, address.family, port, signal);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  });
}

/** What a TCP probe result means for a port, in the words a rule uses. */
export function tcpState(result: ProbeResult<unknown>): TcpState {
  if (result.status === 'ok') return 'open';
  const { code, phase } = result.error;
  if (code === 'ECONNREFUSED') return 'refused';
  // ETIMEDOUT also arrives from the kernel itself when its SYN retries run out before our deadline.
  if (phase === 'timeout' || code === 'ETIMEDOUT') return 'filtered';
  if (UNREACHABLE_CODES.has(code)) return 'unreachable';
  if (phase === 'dns') return 'dns-failed';
  return 'error';
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

async function resolveHost(host: string, family: 4 | 6 | undefined): Promise<{ address: string; family: 4 | 6 }[]> {
  const literal = isIP(host);
  if (literal === 4 || literal === 6) return [{ address: host, family: literal }];
  let answers: { address: string; family: number }[];
  try {
    // `verbatim` keeps the resolver's order, as clients (and Node's own connect) use it.
    answers = await lookup(host, { all: true, verbatim: true, ...(family ? { family } : {}) });
  } catch (error) {
    const code = errorCodeOf(error) ?? 'ENOTFOUND';
    throw new ProbeFailure({
      phase: 'dns',
      code,
      message: `${host}: ${describeCode(code) ?? 'lookup failed'} (${code})`,
    });
  }
  const usable = answers.filter((a): a is { address: string; family: 4 | 6 } => a.family === 4 || a.family === 6);
  if (usable.length === 0) throw new ProbeFailure({ phase: 'dns', code: 'ENODATA', message: `${host}: no addresses` });
  return usable;
}

function connectOnce(address: string, family: 4 | 6, port: number, signal: AbortSignal): Promise<TcpProbeValue> {
  return new Promise<TcpProbeValue>((resolve, reject) => {
    const started = performance.now();
    // An IP literal never goes through DNS; autoSelectFamily is off so the error is the socket's own, not an aggregate.
    const socket: Socket = connect({ host: address, port, family, autoSelectFamily: false });
    const finish = (outcome: () => void): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      outcome();
    };
    // The abort reason is the caller's (an Error by AbortSignal's contract, typed any); passing it through is what lets
    // runProbe tell a deadline from a cancel.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- see the comment above
    const onAbort = (): void => finish(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      const rttMs = Math.round((performance.now() - started) * 10) / 10;
      finish(() => resolve({ address: socket.remoteAddress ?? address, port, family, rttMs }));
    });
    socket.once('error', (error) => {
      const code = errorCodeOf(error) ?? 'EUNKNOWN';
      const where = family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
      finish(() =>
        reject(
          new ProbeFailure({
            phase: phaseOfCode(code, false),
            code,
            message: `${where}: ${describeCode(code) ?? error.message} (${code})`,
          }),
        ),
      );
    });
  });
}
