/**
 * Does `a-b-c-d.<hash>.plex.direct` resolve to a.b.c.d, through the system resolver and through chosen servers?
 * Plex's resolver answers any such name with the encoded address (docs/reference/plex-api.md §6). Routers with
 * DNS-rebinding protection (dnsmasq `--stop-dns-rebind`, Unbound `private-address`) drop answers that point into the
 * LAN, so the local secure connection fails and clients fall back to the WAN address or the relay.
 *
 * To tell that from a resolver that is simply broken, every resolver is also asked a control name with the same
 * hash and a public address (`1-1-1-1.<hash>.plex.direct`): "private name fails while the control resolves" is
 * rebinding protection; "both fail" is a resolver (or plex.direct) problem.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { classifyAddress } from '../core/net/address.js';
import { parsePlexDirectName, plexDirectHostname } from '../core/net/plex-direct.js';
import { AddressClassSchema } from './address-class.js';
import { LookupFailure, queryServer, systemLookup, type ResolvedAddress } from './resolve.js';
import { elapsed, ProbeFailure, runProbe, type ProbeOptions, type ProbeResult } from './types.js';

export const DnsAnswerOutcome = z.enum([
  'ok',
  'rebinding-blocked',
  'wrong-answer',
  'nxdomain',
  'no-answer',
  'resolver-failed',
]);
export type DnsAnswerOutcome = z.infer<typeof DnsAnswerOutcome>;

export const DnsControlAnswer = z.object({
  addresses: z.array(z.string()),
  /** The control name resolved to its own encoded address. */
  resolved: z.boolean(),
  code: z.string().optional(),
});

export const DnsResolverAnswer = z.object({
  /** 'system' (getaddrinfo) or the server as given ("192.168.1.1", "127.0.0.1:5353"). */
  resolver: z.string(),
  addresses: z.array(z.string()),
  outcome: DnsAnswerOutcome,
  /** The lookup's error code: ENOTFOUND (NXDOMAIN), ENODATA, ESERVFAIL, EREFUSED, ETIMEDOUT, EBADRESP... */
  code: z.string().optional(),
  control: DnsControlAnswer,
  durationMs: z.number(),
});
export type DnsResolverAnswer = z.infer<typeof DnsResolverAnswer>;

export const PlexDirectDnsVerdict = z.enum(['ok', 'rebinding-blocked', 'wrong-answer', 'resolver-failed']);

export const PlexDirectDnsValue = z.object({
  hostname: z.string(),
  /** The address encoded in the name. */
  expected: z.string(),
  encodedClass: AddressClassSchema,
  controlHostname: z.string(),
  answers: z.array(DnsResolverAnswer),
  /** Worst across resolvers: rebinding-blocked, then wrong-answer; ok only when every resolver is ok. */
  verdict: PlexDirectDnsVerdict,
});
export type PlexDirectDnsValue = z.infer<typeof PlexDirectDnsValue>;

export interface PlexDirectDnsOptions extends ProbeOptions {
  /** Deadline for the whole probe; each query gets 80% of it, all resolvers are asked at once. @default 5000 */
  timeoutMs?: number;
  /** DNS servers to ask besides the system resolver: "ip", "ip:port" or "[v6]:port". @default [] */
  resolvers?: string[];
  /** Ask the system resolver (getaddrinfo). @default true */
  useSystemResolver?: boolean;
  /** A name that must resolve for a failure to count as rebinding protection. @default the same hash with 1.1.1.1 (or 2606:4700:4700::1111 for IPv6 names) */
  controlHostname?: string;
}

export const DEFAULT_DNS_TIMEOUT_MS = 5000;
/** Classes a rebinding filter strips; CGNAT is included because Unbound and pfSense lists often carry 100.64/10. */
const REBIND_CANDIDATES = new Set(['private', 'loopback', 'link-local', 'cgnat']);

export function probePlexDirectDns(
  hostname: string,
  options: PlexDirectDnsOptions = {},
): Promise<ProbeResult<PlexDirectDnsValue>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  return runProbe({ ...options, timeoutMs, defaultTimeoutMs: DEFAULT_DNS_TIMEOUT_MS }, async (signal) => {
    const name = parsePlexDirectName(hostname);
    if (!name)
      throw new ProbeFailure({ phase: 'dns', code: 'EINVAL', message: `not a plex.direct host name: "${hostname}"` });
    const controlHostname = (
      options.controlHostname ?? plexDirectHostname(name.family === 4 ? '1.1.1.1' : '2606:4700:4700::1111', name.hash)
    ).toLowerCase();
    const resolvers = [...(options.useSystemResolver === false ? [] : ['system']), ...(options.resolvers ?? [])];
    if (resolvers.length === 0) throw new ProbeFailure({ phase: 'dns', code: 'EINVAL', message: 'no resolver to ask' });
    const encodedClass = classifyAddress(name.address);
    const queryOptions = { timeoutMs: Math.max(1, Math.floor(timeoutMs * 0.8)), signal };
    const answers = await Promise.all(
      resolvers.map((resolver) =>
        askResolver(
          resolver,
          name.hostname,
          name.address,
          controlHostname,
          REBIND_CANDIDATES.has(encodedClass),
          queryOptions,
        ),
      ),
    );
    return {
      hostname: name.hostname,
      expected: name.address,
      encodedClass,
      controlHostname,
      answers,
      verdict: verdictOf(answers),
    };
  });
}

/** True when some resolver drops the private plex.direct answer while it resolves the public control name. */
export function isRebindingSuspect(result: ProbeResult<PlexDirectDnsValue> | PlexDirectDnsValue): boolean {
  const value = 'status' in result ? (result.status === 'ok' ? result.value : undefined) : result;
  return value?.answers.some((answer) => answer.outcome === 'rebinding-blocked') ?? false;
}

interface Attempt {
  addresses: string[];
  code?: string;
}

async function askResolver(
  resolver: string,
  hostname: string,
  expected: string,
  controlHostname: string,
  rebindCandidate: boolean,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<DnsResolverAnswer> {
  const started = performance.now();
  const lookupOnce = (host: string): Promise<Attempt> => {
    const family = parsePlexDirectName(host)?.family ?? 4;
    const pending =
      resolver === 'system'
        ? systemLookup(host, options)
        : queryServer(resolver, host, family === 4 ? 'A' : 'AAAA', options);
    return pending.then(
      (found: ResolvedAddress[]) => ({ addresses: found.map((a) => canonical(a.address)) }),
      (error: unknown) => ({ addresses: [], code: error instanceof LookupFailure ? error.code : 'EUNKNOWN' }),
    );
  };
  const [target, control] = await Promise.all([lookupOnce(hostname), lookupOnce(controlHostname)]);
  const controlExpected = parsePlexDirectName(controlHostname)?.address;
  const controlResolved = controlExpected ? control.addresses.includes(controlExpected) : control.addresses.length > 0;
  return {
    resolver,
    addresses: target.addresses,
    ...judge(target, expected, rebindCandidate, controlResolved),
    control: {
      addresses: control.addresses,
      resolved: controlResolved,
      ...(control.code ? { code: control.code } : {}),
    },
    durationMs: elapsed(started),
  };
}

/** NXDOMAIN, NOERROR-without-records (or EAI_NODATA) and REFUSED are the ways a filter says "no". */
const SAYS_NO = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NODATA', 'EREFUSED']);

function judge(
  target: Attempt,
  expected: string,
  rebindCandidate: boolean,
  controlResolved: boolean,
): { outcome: DnsAnswerOutcome; code?: string } {
  const code = target.code ? { code: target.code } : {};
  if (target.addresses.length > 0) {
    if (target.addresses.includes(expected)) return { outcome: 'ok' };
    // Some filters answer 0.0.0.0 / :: for a blocked name instead of refusing it.
    const sinkholed = target.addresses.every((address) => classifyAddress(address) === 'unspecified');
    if (sinkholed && rebindCandidate && controlResolved) return { outcome: 'rebinding-blocked' };
    return { outcome: 'wrong-answer' };
  }
  if (!controlResolved || !target.code || !SAYS_NO.has(target.code)) return { outcome: 'resolver-failed', ...code };
  if (rebindCandidate) return { outcome: 'rebinding-blocked', ...code };
  // A public address the resolver will not give while it gives the control: odd, reported as what was seen.
  if (target.code === 'ENOTFOUND') return { outcome: 'nxdomain', ...code };
  if (target.code === 'EREFUSED') return { outcome: 'resolver-failed', ...code };
  return { outcome: 'no-answer', ...code };
}

function verdictOf(answers: DnsResolverAnswer[]): z.infer<typeof PlexDirectDnsVerdict> {
  if (answers.some((a) => a.outcome === 'rebinding-blocked')) return 'rebinding-blocked';
  if (answers.some((a) => a.outcome === 'wrong-answer')) return 'wrong-answer';
  if (answers.every((a) => a.outcome === 'ok')) return 'ok';
  return 'resolver-failed';
}

function canonical(address: string): string {
  try {
    return ipaddr.parse(address).toString();
  } catch {
    return address;
  }
}
