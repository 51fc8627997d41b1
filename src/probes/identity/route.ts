/**
 * Which address an HTTP probe dials, and how it was chosen. For `*.plex.direct` names the address is in the name
 * (docs/reference/plex-api.md §6), so when DNS fails (a resolver with rebinding protection, no internet DNS) we still
 * reach the server at the encoded address with the right SNI and Host: "DNS blocked, server fine" then differs from
 * "down".
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { parsePlexDirectName } from '../../core/net/plex-direct.js';
import { LookupFailure, queryServerBoth, systemLookup, type ResolvedAddress } from '../resolve.js';
import { ProbeFailure } from '../types.js';

/**
 * - `literal`: the URL has an IP address.
 * - `dns`: the name resolved (system resolver, or `dnsServers`).
 * - `plex-direct-ip`: the address encoded in a plex.direct name, because DNS failed or `resolveTo` named that address.
 * - `resolve-to`: the caller's `resolveTo`, which is not the name's encoded address.
 */
export const ResolvedVia = z.enum(['dns', 'plex-direct-ip', 'literal', 'resolve-to']);
export type ResolvedVia = z.infer<typeof ResolvedVia>;

export interface Route {
  resolvedVia: ResolvedVia;
  /** What to dial for the name; absent for literals (nothing to resolve). */
  addresses?: ResolvedAddress[];
  /** The DNS failure code when a plex.direct name fell back to its encoded address. */
  dnsError?: string;
}

export interface RouteOptions {
  resolveTo?: string | undefined;
  dnsServers?: string[] | undefined;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Share of the deadline a plex.direct lookup may use before we fall back to the encoded address: a resolver that
 * never answers must not eat the time the connection test needs.
 */
const PLEX_DIRECT_DNS_SHARE = 0.4;

export async function chooseRoute(urlHostname: string, options: RouteOptions): Promise<Route> {
  const host = urlHostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return { resolvedVia: 'literal' };
  const plexDirect = parsePlexDirectName(host);
  if (options.resolveTo !== undefined) {
    const family = isIP(options.resolveTo);
    if (family !== 4 && family !== 6) {
      throw new ProbeFailure({
        phase: 'dns',
        code: 'EINVAL',
        message: `resolveTo must be an IP address, got "${options.resolveTo}"`,
      });
    }
    const address = canonical(options.resolveTo);
    return {
      resolvedVia: plexDirect?.address === address ? 'plex-direct-ip' : 'resolve-to',
      addresses: [{ address, family }],
    };
  }
  const budget = plexDirect ? Math.max(1, Math.floor(options.timeoutMs * PLEX_DIRECT_DNS_SHARE)) : options.timeoutMs;
  try {
    const addresses = await resolveName(host, options.dnsServers, { timeoutMs: budget, signal: options.signal });
    if (addresses.length === 0) throw new LookupFailure('ENODATA', `${host}: no addresses`);
    return { resolvedVia: 'dns', addresses };
  } catch (error) {
    const code = error instanceof LookupFailure ? error.code : 'EUNKNOWN';
    if (code === 'EABORTED') throw error;
    if (plexDirect) {
      return {
        resolvedVia: 'plex-direct-ip',
        addresses: [{ address: plexDirect.address, family: plexDirect.family }],
        dnsError: code,
      };
    }
    throw new ProbeFailure({ phase: 'dns', code, message: `${host}: name did not resolve (${code})` });
  }
}

async function resolveName(
  host: string,
  servers: string[] | undefined,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ResolvedAddress[]> {
  if (!servers?.length) return systemLookup(host, options);
  let last: unknown;
  for (const server of servers) {
    try {
      return await queryServerBoth(server, host, options);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

function canonical(address: string): string {
  return ipaddr.parse(address).toString();
}
