/**
 * `GET <uri>/identity`, without a token, to learn *who* answers on a connection URI: this Plex server, another Plex
 * server, a router's login page, or nothing. The connection details (address dialled, TLS verdict and certificate)
 * are kept too, so "certificate fine, DNS blocked", "wrong certificate" and "server down" read differently.
 *
 * Outcome rule: any complete HTTP response is `ok` (the port answered; the value says what answered, whatever the
 * status: a 404, a router's 200 HTML page or a 302 to a login form are all evidence). `failed` means no usable HTTP
 * response: DNS, connect or TLS failure, a reset or stall, or bytes that are not HTTP (phase `response`, code
 * EBADRESPONSE). An identity whose machineIdentifier differs from the expected one is `ok` with `identityMatches:
 * false`: which server answered is for the rules to judge.
 */
import { z } from 'zod';
import { redactUrl } from '../../core/redact.js';
import { loadUndici } from '../../http/load-undici.js';
import { describeCode, errorCodeOf, phaseOfCode } from '../../http/network-error.js';
import { describeBody, IdentityBodyKind } from './body.js';
import { chooseRoute, ResolvedVia } from './route.js';
import { openIdentityConnection } from './connection.js';
import { TlsInfo } from './tls-capture.js';
import { ProbeFailure, runProbe, type ProbeError, type ProbeOptions, type ProbeResult } from '../types.js';

export const IdentityProbeValue = z.object({
  /** The URL requested (`<uri>/identity`, query and credentials stripped). */
  url: z.string(),
  status: z.number().int(),
  /** What the body was: a Plex identity, an HTML page, something else, nothing, or broken JSON/XML. */
  bodyKind: IdentityBodyKind,
  machineIdentifier: z.string().optional(),
  version: z.string().optional(),
  claimed: z.boolean().optional(),
  /** Set when `expectedMachineIdentifier` was given and an identity came back. */
  identityMatches: z.boolean().optional(),
  /** The `Server` header (e.g. "nginx", "micro_httpd"): says what else answers on that port. */
  server: z.string().optional(),
  /** The HTML `<title>` of a non-Plex page ("RT-AX88U Login"). */
  title: z.string().optional(),
  contentType: z.string().optional(),
  /** The server's clock, from its `Date` header (ISO 8601): a skewed clock breaks TLS and sign-in. */
  serverDate: z.string().optional(),
  /** Where a 3xx pointed (not followed), redacted. */
  location: z.string().optional(),
  /** The address the connection reached. */
  connectedAddress: z.string().optional(),
  resolvedVia: ResolvedVia,
  /** Why the name did not resolve, when we fell back to the address encoded in a plex.direct name. */
  dnsError: z.string().optional(),
  tls: TlsInfo.optional(),
});
export type IdentityProbeValue = z.infer<typeof IdentityProbeValue>;

export interface IdentityProbeOptions extends ProbeOptions {
  /** Deadline for DNS, connect, TLS, headers and body. @default 5000 */
  timeoutMs?: number;
  /** When given, the value says whether the server that answered is this one. @default undefined */
  expectedMachineIdentifier?: string;
  /**
   * Dial this IP instead of resolving the URL's host name; SNI and Host stay the name. Ignored for IP-literal URLs.
   * @default undefined (resolve; a plex.direct name that does not resolve falls back to its encoded address)
   */
  resolveTo?: string;
  /** PEM certificates to trust in addition to Node's roots (tests, private CAs). @default [] */
  caCertificates?: string[];
  /** Resolve host names with these DNS servers ("ip" or "ip:port") instead of the system resolver. @default system resolver */
  dnsServers?: string[];
}

export const DEFAULT_IDENTITY_TIMEOUT_MS = 5000;
/** An identity document is a few hundred bytes; a router page is small too. Past this we stop reading. */
export const IDENTITY_BODY_CAP_BYTES = 64 * 1024;

export function probeIdentity(
  uri: string,
  options: IdentityProbeOptions = {},
): Promise<ProbeResult<IdentityProbeValue>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_IDENTITY_TIMEOUT_MS;
  return runProbe({ ...options, timeoutMs, defaultTimeoutMs: DEFAULT_IDENTITY_TIMEOUT_MS }, async (signal) => {
    const url = identityUrl(uri);
    const route = await chooseRoute(url.hostname, {
      resolveTo: options.resolveTo,
      dnsServers: options.dnsServers,
      timeoutMs,
      signal,
    });
    const { request } = await loadUndici();
    const { dispatcher, captured, release } = await openIdentityConnection(url, {
      ...(route.addresses ? { addresses: route.addresses } : {}),
      ...(options.caCertificates ? { caCertificates: options.caCertificates } : {}),
      connectTimeoutMs: timeoutMs + 1000,
    });
    let afterHeaders = false;
    try {
      const response = await request(url, {
        dispatcher,
        method: 'GET',
        // No X-Plex-Token, ever: /identity needs none (docs/reference/plex-api.md §1) and this URL may not be the
        // owner's server.
        headers: { accept: 'application/json, text/xml;q=0.9, */*;q=0.5' },
        signal,
        // Our deadline governs; these keep undici from imposing its own 300 s ones.
        headersTimeout: timeoutMs + 1000,
        bodyTimeout: timeoutMs + 1000,
      });
      afterHeaders = true;
      const body = await readCapped(response.body, IDENTITY_BODY_CAP_BYTES);
      const header = (name: string): string | undefined => {
        const value = response.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      };
      const described = describeBody(response.statusCode, body, header('content-type'));
      const connection = captured();
      const location = header('location');
      const server = header('server');
      const contentType = header('content-type');
      const date = Date.parse(header('date') ?? '');
      // Built here from checked parts (describeBody validated the body): the type says it is an IdentityProbeValue,
      // so it is not parsed again (test/probes/identity checks the shape against the schema).
      const value: IdentityProbeValue = {
        url: redactUrl(url.href),
        status: response.statusCode,
        ...described,
        ...(options.expectedMachineIdentifier && described.machineIdentifier
          ? {
              identityMatches:
                described.machineIdentifier.toLowerCase() === options.expectedMachineIdentifier.toLowerCase(),
            }
          : {}),
        ...(server ? { server: server.slice(0, 120) } : {}),
        ...(contentType ? { contentType: contentType.slice(0, 120) } : {}),
        ...(Number.isFinite(date) ? { serverDate: new Date(date).toISOString() } : {}),
        ...(location && response.statusCode >= 300 && response.statusCode < 400
          ? { location: resolveLocation(location, url) }
          : {}),
        ...(connection?.remoteAddress ? { connectedAddress: connection.remoteAddress } : {}),
        resolvedVia: route.resolvedVia,
        ...(route.dnsError ? { dnsError: route.dnsError } : {}),
        ...(connection?.tls ? { tls: connection.tls } : {}),
      };
      return value;
    } catch (error) {
      throw new ProbeFailure(classifyHttpFailure(error, afterHeaders, url, captured()?.tls));
    } finally {
      release();
    }
  });
}

/** `<uri>/identity` with the query, fragment and credentials removed: nothing secret leaves with a probe. */
export function identityUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ProbeFailure({ phase: 'request', code: 'EINVAL', message: `not a URL: ${redactUrl(uri)}` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeFailure({ phase: 'request', code: 'EINVAL', message: `not an http(s) URL: ${redactUrl(uri)}` });
  }
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/identity`;
  return url;
}

/** A redirect target as an absolute, redacted URL; an unparsable one is kept as text (capped), it is still evidence. */
function resolveLocation(location: string, base: URL): string {
  try {
    return redactUrl(new URL(location, base).href);
  } catch {
    return redactUrl(location.slice(0, 200));
  }
}

async function readCapped(body: AsyncIterable<unknown> & { destroy(): unknown }, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    // Enough to tell what answered; the rest is not read (a router page or an endless stream must not cost more).
    if (size >= cap) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, cap);
}

function classifyHttpFailure(error: unknown, afterHeaders: boolean, url: URL, tls: TlsInfo | undefined): ProbeError {
  if (error instanceof ProbeFailure) return error.detail;
  const code = errorCodeOf(error);
  const where = redactUrl(url.href);
  // llhttp's parse errors (HPE_*): something answered, but not with HTTP (an SSH banner, a TLS port spoken to in
  // plain HTTP by a proxy, junk). undici's HTTPParserError often carries no code, hence the name check.
  if (code?.startsWith('HPE_') || (error instanceof Error && error.name === 'HTTPParserError')) {
    return {
      phase: 'response',
      code: 'EBADRESPONSE',
      message: `${where}: the answer is not HTTP (${firstLine(error)})`,
    };
  }
  const phase = phaseOfCode(code, afterHeaders);
  const detail =
    (code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? 'the server does not speak TLS on this port' : describeCode(code)) ??
    firstLine(error);
  // A TLS failure after the handshake completed (the server dropped us) is not a certificate verdict.
  const certificateNote = phase === 'tls' && tls?.authorizationError ? ` (certificate: ${tls.authorizationError})` : '';
  return { phase, code: code ?? 'EUNKNOWN', message: `${where}: ${phase} failed: ${detail}${certificateNote}` };
}

/** OpenSSL messages run over several lines with library internals; the first line (capped) says enough. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
