/**
 * NAT-PMP (RFC 6886): ask the default gateway for its external IPv4 address, and (for the opt-in experiment) map or
 * unmap a port. Requests are retried on RFC 6886 §3.1's schedule (250 ms, doubling, 9 tries at most) inside the
 * probe's deadline. The socket is connected to the gateway, so the kernel drops datagrams from anyone else (§3.2:
 * "MUST check the source IP address") and an ICMP port-unreachable comes back as ECONNREFUSED: NAT-PMP is off.
 */
import { z } from 'zod';
import { classifyAddress, ipFamily } from '../../core/net/address.js';
import { AddressClassSchema } from '../address-class.js';
import type { HostSources } from '../host/sources.js';
import { natPmpGateway } from './gateway.js';
import {
  describeResultCode,
  encodeExternalAddressRequest,
  encodeMappingRequest,
  NATPMP_PORT,
  NATPMP_RESULT_CODES,
  parseNatPmpResponse,
  type NatPmpPacket,
  type NatPmpProtocol,
} from './packet.js';
import { ProbeFailure, type ProbeOptions, type ProbeResult } from '../types.js';
import { openUdpSession } from '../udp.js';
import { delay, runWindowedProbe } from '../window.js';

export const NatPmpValue = z.object({
  gateway: z.string(),
  port: z.number().int(),
  externalIp: z.string(),
  externalIpClass: AddressClassSchema,
  /** Seconds since the gateway (re)started its NAT-PMP state; a drop means it rebooted and forgot its mappings. */
  epochSeconds: z.number().int(),
  /** Requests sent before the answer came. */
  attempts: z.number().int(),
});
export type NatPmpValue = z.infer<typeof NatPmpValue>;

export const NatPmpMapping = z.object({
  gateway: z.string(),
  protocol: z.enum(['udp', 'tcp']),
  internalPort: z.number().int(),
  /** The port the gateway chose (may differ from the suggestion); 0 after an unmap. */
  externalPort: z.number().int(),
  /** 0 after an unmap. */
  lifetimeSeconds: z.number().int(),
  epochSeconds: z.number().int(),
});
export type NatPmpMapping = z.infer<typeof NatPmpMapping>;

export interface NatPmpOptions extends ProbeOptions, Pick<HostSources, 'fsRoot' | 'platform'> {
  /** The NAT-PMP server. @default the IPv4 default gateway read from /proc/net/route (host probe) */
  gateway?: string;
  /** @default 5351 */
  port?: number;
  /** Deadline for all tries. @default 3000 */
  timeoutMs?: number;
  /** First retry interval; doubles after each try (RFC 6886 §3.1). Tests shorten it. @default 250 */
  initialRetryMs?: number;
}

export interface NatPmpMapOptions extends NatPmpOptions {
  protocol: NatPmpProtocol;
  internalPort: number;
  /** Suggested external port. @default internalPort */
  externalPort?: number;
  /** @default 3600 */
  lifetimeSeconds?: number;
}

export const DEFAULT_NATPMP_TIMEOUT_MS = 3000;
const MAX_TRIES = 9;

interface Exchange {
  packet: Exclude<NatPmpPacket, { kind: 'invalid' }>;
  gateway: string;
  port: number;
  attempts: number;
}

/** Sends `request` on the retry schedule until `accept` takes an answer, the gateway refuses, or the deadline. */
async function exchange(
  options: NatPmpOptions,
  request: Buffer,
  accept: (packet: NatPmpPacket) => boolean,
  signal: AbortSignal,
  deadlineAt: number,
): Promise<Exchange> {
  // Read at once, not through the thread pool (gateway.ts says why).
  const gateway =
    options.gateway ??
    natPmpGateway({
      ...(options.fsRoot ? { fsRoot: options.fsRoot } : {}),
      ...(options.platform ? { platform: options.platform } : {}),
    });
  if (!gateway)
    throw new ProbeFailure({
      phase: 'request',
      code: 'ENOGATEWAY',
      message: 'no IPv4 default gateway found to ask over NAT-PMP',
    });
  if (ipFamily(gateway) !== 4)
    throw new ProbeFailure({
      phase: 'request',
      code: 'EINVAL',
      message: `NAT-PMP needs an IPv4 gateway, got "${gateway}"`,
    });
  const port = options.port ?? NATPMP_PORT;
  const where = `${gateway}:${port}`;
  const local = new AbortController();
  const stop = (): void => local.abort();
  signal.addEventListener('abort', stop, { once: true });
  const invalid: string[] = [];
  let attempts = 0;
  let settle: ((outcome: Exchange | ProbeFailure) => void) | undefined;
  const outcome = new Promise<Exchange | ProbeFailure>((resolve) => (settle = resolve));
  try {
    const session = await openUdpSession({
      signal: local.signal,
      connectTo: { address: gateway, port },
      onMessage: (message) => {
        const packet = parseNatPmpResponse(message);
        if (packet.kind === 'invalid') invalid.push(packet.reason);
        else if (accept(packet)) settle?.({ packet, gateway, port, attempts });
        else invalid.push(`unexpected ${packet.kind} response`);
      },
      onError: (code) => {
        const refused = code === 'ECONNREFUSED';
        const message = refused
          ? `${where}: nothing listens on UDP ${port} (ICMP port unreachable): NAT-PMP is off on the gateway`
          : `${where}: ${code}`;
        settle?.(new ProbeFailure({ phase: 'connect', code, message }));
      },
    });
    void (async () => {
      let interval = options.initialRetryMs ?? 250;
      for (let tryNo = 0; tryNo < MAX_TRIES && !local.signal.aborted && performance.now() < deadlineAt; tryNo++) {
        const error = await session.send(request);
        if (error && error !== 'ECLOSED')
          return settle?.(
            new ProbeFailure({ phase: 'connect', code: error, message: `${where}: send failed (${error})` }),
          );
        attempts += 1;
        await delay(Math.min(interval, deadlineAt - performance.now()), local.signal);
        interval *= 2;
      }
    })();
    const timer = setTimeout(
      () => {
        const tries = `after ${attempts} tr${attempts === 1 ? 'y' : 'ies'}`;
        settle?.(
          invalid.length > 0
            ? new ProbeFailure({
                phase: 'response',
                code: 'EBADRESPONSE',
                message: `${where}: no valid NAT-PMP answer ${tries}; ignored ${invalid.length} packet(s): ${[...new Set(invalid)].slice(0, 3).join('; ')}`,
              })
            : new ProbeFailure({
                phase: 'timeout',
                code: 'ETIMEDOUT',
                message: `${where}: no NAT-PMP answer ${tries}: NAT-PMP is off, or UDP ${port} is filtered`,
              }),
        );
      },
      Math.max(1, deadlineAt - performance.now()),
    );
    local.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    const result = await outcome;
    if (result instanceof ProbeFailure) throw result;
    if (result.packet.resultCode !== 0) {
      const name =
        NATPMP_RESULT_CODES[result.packet.resultCode as keyof typeof NATPMP_RESULT_CODES] ??
        `RESULT_${result.packet.resultCode}`;
      throw new ProbeFailure({
        phase: 'response',
        code: `ENATPMP_${name}`,
        message: `${where}: ${describeResultCode(result.packet.resultCode)}`,
      });
    }
    return result;
  } catch (error) {
    if (error instanceof ProbeFailure) throw error;
    throw new ProbeFailure({
      phase: 'request',
      code: 'EUDP',
      message: `${where}: could not open a UDP socket: ${error instanceof Error ? error.message : String(error)}`,
    });
  } finally {
    signal.removeEventListener('abort', stop);
    local.abort();
  }
}

/** Asks the gateway for its external IPv4 address (opcode 0). */
export function probeNatPmp(options: NatPmpOptions = {}): Promise<ProbeResult<NatPmpValue>> {
  return runWindowedProbe(options, DEFAULT_NATPMP_TIMEOUT_MS, async (signal, deadlineAt) => {
    const { packet, gateway, port, attempts } = await exchange(
      options,
      encodeExternalAddressRequest(),
      (p) => p.kind === 'external-address',
      signal,
      deadlineAt,
    );
    const externalIp = packet.kind === 'external-address' ? (packet.externalIp ?? '0.0.0.0') : '0.0.0.0';
    return {
      gateway,
      port,
      externalIp,
      externalIpClass: classifyAddress(externalIp),
      epochSeconds: packet.epochSeconds,
      attempts,
    };
  });
}

const isPort = (value: number, allowZero = false): boolean =>
  Number.isInteger(value) && value >= (allowZero ? 0 : 1) && value <= 65535;

function mapRequest(
  options: NatPmpMapOptions,
  externalPort: number,
  lifetimeSeconds: number,
): Promise<ProbeResult<NatPmpMapping>> {
  return runWindowedProbe(options, DEFAULT_NATPMP_TIMEOUT_MS, async (signal, deadlineAt) => {
    if (
      !isPort(options.internalPort) ||
      !isPort(externalPort, true) ||
      !(Number.isInteger(lifetimeSeconds) && lifetimeSeconds >= 0 && lifetimeSeconds <= 0xffffffff)
    ) {
      throw new ProbeFailure({
        phase: 'request',
        code: 'EINVAL',
        message: `invalid mapping ${externalPort} -> ${options.internalPort} for ${lifetimeSeconds} s`,
      });
    }
    const request = encodeMappingRequest({
      protocol: options.protocol,
      internalPort: options.internalPort,
      externalPort,
      lifetimeSeconds,
    });
    const accept = (p: NatPmpPacket): boolean =>
      p.kind === 'mapping' &&
      p.protocol === options.protocol &&
      (p.resultCode !== 0 || p.internalPort === options.internalPort);
    const { packet, gateway } = await exchange(options, request, accept, signal, deadlineAt);
    if (packet.kind !== 'mapping')
      throw new ProbeFailure({ phase: 'response', code: 'EBADRESPONSE', message: 'not a mapping response' });
    return {
      gateway,
      protocol: packet.protocol,
      internalPort: packet.internalPort ?? options.internalPort,
      externalPort: packet.externalPort ?? 0,
      lifetimeSeconds: packet.lifetimeSeconds ?? 0,
      epochSeconds: packet.epochSeconds,
    };
  });
}

/** Maps a port (opcode 1 UDP / 2 TCP). The gateway may pick another external port: read it from the value. */
export function natPmpMapPort(options: NatPmpMapOptions): Promise<ProbeResult<NatPmpMapping>> {
  return mapRequest(options, options.externalPort ?? options.internalPort, options.lifetimeSeconds ?? 3600);
}

/** Removes this host's mapping of `internalPort` (lifetime 0 and external port 0, RFC 6886 §3.4). */
export function natPmpUnmapPort(
  options: Omit<NatPmpMapOptions, 'externalPort' | 'lifetimeSeconds'>,
): Promise<ProbeResult<NatPmpMapping>> {
  return mapRequest(options, 0, 0);
}
