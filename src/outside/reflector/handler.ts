/**
 * One HTTP request through the reflector, cheapest refusal first: rate limit per source, route, media type, body
 * size, authentication (timestamp window, HMAC, nonce), schema, concurrency; only then the connect-back, to the TCP
 * source address and nowhere else. Every refusal is one JSON line with a 4xx/5xx and a stable code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { withDeadline } from '../../core/util/deadline.js';
import {
  CHECK_PATH,
  CheckRequest,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  MAX_REQUEST_BODY_BYTES,
  PROTOCOL_VERSION,
  type CheckResponse,
  type PortCheckResult,
  type RefusalCode,
} from '../protocol.js';
import { isValidNonce, isValidTimestamp, signResponse, verifyRequest } from '../signing.js';
import { checkPort } from './check-port.js';
import { NonceCache, SourceRateLimiter } from './limits.js';
import type { ResolvedReflectorOptions } from './options.js';

const STATUS: Record<RefusalCode, number> = {
  unauthorized: 401,
  expired: 401,
  replayed: 401,
  'rate-limited': 429,
  busy: 503,
  'too-large': 413,
  'bad-request': 400,
  'unsupported-media-type': 415,
  'not-found': 404,
  'method-not-allowed': 405,
  timeout: 504,
};

class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly extra: { retryAfterMs?: number; serverTime?: number } = {},
  ) {
    super(message);
  }
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is the IPv4 address it wraps. */
export function sourceOf(request: IncomingMessage): { address: string; family: 4 | 6 } | undefined {
  return sourceOfSocket(request.socket);
}

export function sourceOfSocket(socket: {
  remoteAddress?: string | undefined;
}): { address: string; family: 4 | 6 } | undefined {
  const raw = socket.remoteAddress;
  if (!raw) return undefined;
  const address = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
  const family = isIP(address);
  return family === 4 || family === 6 ? { address, family } : undefined;
}

/**
 * Whom a rate limit applies to: an IPv4 address, or an IPv6 /64 (one home or one VPS gets a whole /64, so per-address
 * limits would hand an attacker 2^64 buckets and let them fill the source table). The check still goes to the exact
 * address.
 */
export function rateKey(source: { address: string; family: 4 | 6 }): string {
  if (source.family === 4) return source.address;
  const parts = ipaddr.IPv6.parse(source.address).toNormalizedString().split(':');
  return `${parts.slice(0, 4).join(':')}::/64`;
}

export function createHandler(options: ResolvedReflectorOptions) {
  const { limits, secret, log, now } = options;
  // A timestamp is valid while |now - t| <= skew, so a nonce first seen at t - skew is replayable up to and including
  // t + skew: it must outlive 2 * skew by a millisecond (the cache forgets at exactly its expiry).
  const nonces = new NonceCache(limits.nonceCacheSize, limits.clockSkewMs * 2 + 1);
  const rateOptions = { burst: limits.burst, refillMs: limits.refillMs, maxSources: limits.maxSources };
  const rate = new SourceRateLimiter(rateOptions);
  // Anyone can fill `rate` from many addresses without the secret; a source it has no room for is still served, then
  // limited here, in a table only signed requests reach (so only a secret holder can fill it).
  const signedRate = new SourceRateLimiter(rateOptions);
  const inFlightBySource = new Map<string, number>();
  let inFlight = 0;

  const stamp = (): string => new Date(now()).toISOString();

  function refuse(response: ServerResponse, source: string, refusal: Refused): void {
    const status = STATUS[refusal.code];
    const body = JSON.stringify({
      version: PROTOCOL_VERSION,
      error: { code: refusal.code, message: refusal.message },
      ...(refusal.extra.serverTime === undefined ? {} : { serverTime: refusal.extra.serverTime }),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
    if (refusal.extra.retryAfterMs !== undefined)
      headers['retry-after'] = String(Math.max(1, Math.ceil(refusal.extra.retryAfterMs / 1000)));
    if (refusal.code === 'method-not-allowed') headers.allow = 'POST';
    if (refusal.code === 'too-large') headers.connection = 'close';
    if (!response.headersSent) response.writeHead(status, headers);
    response.end(body);
    log(`${stamp()} ${source} refused ${status} ${refusal.code}`);
  }

  function authenticate(request: IncomingMessage, body: Buffer): { check: CheckRequest; nonce: string } {
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const timestamp = header(HEADER_TIMESTAMP);
    const nonce = header(HEADER_NONCE);
    const signature = header(HEADER_SIGNATURE);
    if (!timestamp || !nonce || !signature || !isValidTimestamp(timestamp) || !isValidNonce(nonce))
      throw new Refused('unauthorized', 'missing or malformed authentication headers');
    const at = now();
    if (Math.abs(at - Number(timestamp)) > limits.clockSkewMs)
      throw new Refused('expired', 'the request timestamp is outside the accepted window (check both clocks)', {
        serverTime: at,
      });
    if (!verifyRequest(secret, signature, timestamp, nonce, body)) throw new Refused('unauthorized', 'bad signature');
    const remembered = nonces.remember(nonce, at);
    if (remembered === 'replayed') throw new Refused('replayed', 'this nonce was already used');
    if (remembered === 'full') throw new Refused('busy', 'too many recent requests', { retryAfterMs: 10_000 });
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new Refused('bad-request', 'the body is not JSON');
    }
    const parsed = CheckRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw new Refused('bad-request', `invalid check request: ${where}${issue?.message ?? 'invalid'}`.slice(0, 300));
    }
    return { check: parsed.data, nonce };
  }

  async function runChecks(
    source: { address: string; family: 4 | 6 },
    check: CheckRequest,
    request: IncomingMessage,
  ): Promise<PortCheckResult[] | 'timeout' | 'gone'> {
    const gone = new AbortController();
    // The requester hung up: its answer is not wanted, so its connections stop too.
    const onClose = (): void => gone.abort(new Error('client gone'));
    request.socket.once('close', onClose);
    try {
      return await withDeadline<PortCheckResult[] | 'timeout' | 'gone'>(
        { timeoutMs: limits.checkDeadlineMs, signal: gone.signal },
        (signal) =>
          Promise.all(
            check.ports.map((port) => checkPort(source.address, source.family, port, options.deadlines, signal)),
          ),
        { timeout: () => 'timeout', aborted: () => 'gone' },
      );
    } finally {
      request.socket.off('close', onClose);
    }
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const source = sourceOf(request);
    if (!source) {
      request.socket.destroy();
      return;
    }
    let holding = false;
    let key = source.address;
    try {
      key = rateKey(source);
      const allowed = rate.take(key, now());
      if (allowed.outcome === 'limited')
        throw new Refused('rate-limited', 'too many requests from this address', {
          retryAfterMs: allowed.retryAfterMs,
        });

      const path = (request.url ?? '').split('?')[0];
      if (path !== CHECK_PATH) throw new Refused('not-found', `only POST ${CHECK_PATH} exists`);
      if (request.method !== 'POST') throw new Refused('method-not-allowed', `use POST ${CHECK_PATH}`);
      const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json')
        throw new Refused('unsupported-media-type', 'content-type must be application/json');
      const body = await readBody(request, MAX_REQUEST_BODY_BYTES);
      const { check, nonce } = authenticate(request, body);
      if (allowed.outcome === 'full') {
        const signedAllowed = signedRate.take(key, now());
        if (signedAllowed.outcome === 'limited')
          throw new Refused('rate-limited', 'too many requests from this address', {
            retryAfterMs: signedAllowed.retryAfterMs,
          });
        if (signedAllowed.outcome === 'full')
          throw new Refused('busy', 'too many sources', { retryAfterMs: signedAllowed.retryAfterMs });
      }
      const mine = inFlightBySource.get(key) ?? 0;
      if (mine >= limits.maxChecksPerSource)
        throw new Refused('rate-limited', 'a check from this address is still running', { retryAfterMs: 1000 });
      if (inFlight >= limits.maxConcurrentChecks)
        throw new Refused('busy', 'the reflector is busy', { retryAfterMs: 5000 });
      inFlight += 1;
      inFlightBySource.set(key, mine + 1);
      holding = true;
      const started = performance.now();
      const results = await runChecks(source, check, request);
      if (results === 'gone') return;
      if (results === 'timeout') throw new Refused('timeout', 'the checks did not finish in time');
      const answer: CheckResponse = {
        version: PROTOCOL_VERSION,
        source,
        checkedAt: stamp(),
        durationMs: Math.round(performance.now() - started),
        results,
      };
      const text = JSON.stringify(answer);
      response.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        [HEADER_SIGNATURE]: signResponse(secret, nonce, text),
      });
      response.end(text);
      log(
        `${stamp()} ${source.address} check ${results.map((r) => `${r.port}:${r.tcp.state}`).join(',')} ${answer.durationMs}ms`,
      );
    } catch (error) {
      refuse(
        response,
        source.address,
        error instanceof Refused ? error : new Refused('bad-request', 'the request could not be handled'),
      );
    } finally {
      if (holding) {
        inFlight -= 1;
        const left = (inFlightBySource.get(key) ?? 1) - 1;
        if (left > 0) inFlightBySource.set(key, left);
        else inFlightBySource.delete(key);
      }
    }
  };
}

/** The body, up to `cap` bytes; more (declared or sent) is a 413 before anything is parsed. */
function readBody(request: IncomingMessage, cap: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > cap)
    return Promise.reject(new Refused('too-large', `the body may be at most ${cap} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > cap) {
        request.off('data', onData);
        reject(new Refused('too-large', `the body may be at most ${cap} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', () => reject(new Refused('bad-request', 'the request body could not be read')));
    request.once('aborted', () => reject(new Refused('bad-request', 'the request was aborted')));
  });
}
