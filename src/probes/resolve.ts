/**
 * Name resolution for the probes, with a deadline on both paths: the system resolver (getaddrinfo, what Plex clients
 * and browsers use; it cannot be cancelled, so we stop waiting instead) and an explicit DNS server (c-ares, cancelled
 * at the deadline). Failures carry a normalised code: ENOTFOUND (NXDOMAIN), ENODATA (the name exists, no record of
 * that type), ESERVFAIL, EREFUSED, ETIMEDOUT, ECONNREFUSED, EBADRESP...
 */
import { lookup, Resolver } from 'node:dns/promises';
import { errorCodeOf } from '../http/network-error.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** A failed lookup; `code` is normalised (c-ares' ETIMEOUT becomes ETIMEDOUT). */
export class LookupFailure extends Error {
  override name = 'LookupFailure';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LookupOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The system resolver, all addresses in its order (`verbatim`), as a client would see them. */
export function systemLookup(host: string, options: LookupOptions): Promise<ResolvedAddress[]> {
  return bounded(options, `${host} (system resolver)`, async () => {
    try {
      const answers = await lookup(host, { all: true, verbatim: true });
      return answers.filter((a): a is ResolvedAddress => a.family === 4 || a.family === 6);
    } catch (error) {
      throw toLookupFailure(error, host);
    }
  });
}

export type QueryType = 'A' | 'AAAA';

/**
 * One query (A or AAAA) to one DNS server (`"ip"`, `"ip:port"` or `"[v6]:port"`), one try, under the deadline.
 * Answers are returned as given; an empty answer is ENODATA (c-ares reports NOERROR/no-data that way).
 */
export function queryServer(
  server: string,
  host: string,
  type: QueryType,
  options: LookupOptions,
): Promise<ResolvedAddress[]> {
  const resolver = new Resolver({ timeout: Math.max(1, Math.floor(options.timeoutMs)), tries: 1 });
  try {
    resolver.setServers([server]);
  } catch (error) {
    return Promise.reject(new LookupFailure('EINVAL', `invalid DNS server "${server}": ${(error as Error).message}`));
  }
  return bounded(
    options,
    `${host} ${type} via ${server}`,
    async () => {
      try {
        const addresses = type === 'A' ? await resolver.resolve4(host) : await resolver.resolve6(host);
        if (addresses.length === 0) throw new LookupFailure('ENODATA', `${host}: no ${type} records`);
        return addresses.map((address) => ({ address, family: type === 'A' ? 4 : 6 }));
      } catch (error) {
        throw toLookupFailure(error, host);
      }
    },
    () => resolver.cancel(),
  );
}

/** A and AAAA from one server together; fails only if both fail (with the more telling code of the two). */
export async function queryServerBoth(
  server: string,
  host: string,
  options: LookupOptions,
): Promise<ResolvedAddress[]> {
  const [v4, v6] = await Promise.allSettled([
    queryServer(server, host, 'A', options),
    queryServer(server, host, 'AAAA', options),
  ]);
  const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
  if (found.length > 0) return found;
  const failures = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as LookupFailure] : []));
  // "No AAAA" says less than why A failed.
  throw (
    failures.find((f) => f.code !== 'ENODATA') ?? failures[0] ?? new LookupFailure('ENODATA', `${host}: no addresses`)
  );
}

function toLookupFailure(error: unknown, host: string): LookupFailure {
  if (error instanceof LookupFailure) return error;
  let code = errorCodeOf(error) ?? 'EUNKNOWN';
  if (code === 'ETIMEOUT') code = 'ETIMEDOUT';
  return new LookupFailure(code, `${host}: ${code}`);
}

/** Runs a lookup under a deadline and a signal; `onStop` cancels the underlying query where that is possible. */
function bounded<T>(options: LookupOptions, what: string, run: () => Promise<T>, onStop?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new LookupFailure('EABORTED', `${what}: aborted`));
      return;
    }
    const stop = (failure: LookupFailure): void => {
      cleanup();
      onStop?.();
      reject(failure);
    };
    const timer = setTimeout(
      () => stop(new LookupFailure('ETIMEDOUT', `${what}: no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onAbort = (): void => stop(new LookupFailure('EABORTED', `${what}: aborted`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    run().then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error instanceof LookupFailure ? error : toLookupFailure(error, what));
      },
    );
  });
}
