/**
 * `checkFromOutside`: ask a reflector to connect back to us on some ports. The request is signed (timestamp + nonce,
 * HMAC-SHA256) and the answer is accepted only with a valid signature over our nonce: a network in the middle can
 * neither replay an old "open" nor forge one. The secret never leaves this process. Like a probe, it never throws:
 * a refusal, a forged answer or a dead reflector is a `failed` result with a stable code.
 */
import type { Socket } from 'node:net';
import { rootCertificates } from 'node:tls';
import { redactUrl } from '../core/redact.js';
import { describeCode, errorCodeOf, phaseOfCode } from '../http/network-error.js';
import { loadUndici } from '../http/load-undici.js';
import { ProbeFailure, runProbe, type ProbeOptions, type ProbeResult } from '../probes/types.js';
import {
  CHECK_PATH,
  CheckRequest,
  CheckResponse,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  MAX_RESPONSE_BODY_BYTES,
  PROTOCOL_VERSION,
  Refusal,
  type PortCheckRequest,
} from './protocol.js';
import { newNonce, signRequest, verifyResponse } from './signing.js';

export interface CheckFromOutsideOptions extends ProbeOptions {
  /** The reflector, e.g. `https://reflector.example.net:8443`. */
  reflectorUrl: string;
  /** The shared secret the reflector was started with. */
  secret: string;
  /** The ports to check (at most 8), each with what to check beyond the TCP handshake. */
  ports: PortCheckRequest[];
  /** Extra PEM certificates to trust for an https reflector (a self-signed one). @default [] */
  caCertificates?: string[];
  /** Deadline for the whole exchange; the reflector itself gives up after 15 s. @default 20000 */
  timeoutMs?: number;
  /** The clock (unix ms) the request is stamped with. @default Date.now */
  now?: () => number;
}

export interface OutsideCheckAnswer {
  /** The reflector's signed answer. */
  response: CheckResponse;
  /** The address our connection to the reflector reached (what decides whether the vantage is outside). */
  reflectorAddress?: string;
}

export const DEFAULT_OUTSIDE_TIMEOUT_MS = 20_000;

export function checkFromOutside(options: CheckFromOutsideOptions): Promise<ProbeResult<OutsideCheckAnswer>> {
  return runProbe({ ...options, defaultTimeoutMs: DEFAULT_OUTSIDE_TIMEOUT_MS }, async (signal) => {
    const url = checkUrl(options.reflectorUrl);
    const parsed = CheckRequest.safeParse({ version: PROTOCOL_VERSION, ports: options.ports });
    if (!parsed.success)
      throw new ProbeFailure({
        phase: 'request',
        code: 'EINVAL',
        message: `invalid ports: ${parsed.error.issues[0]?.message}`,
      });
    const body = JSON.stringify(parsed.data);
    const timestamp = String((options.now ?? Date.now)());
    const nonce = newNonce();
    let reflectorAddress: string | undefined;
    const { Agent, buildConnector, request } = await loadUndici();
    const connector = buildConnector({
      rejectUnauthorized: true,
      ...(options.caCertificates?.length ? { ca: [...rootCertificates, ...options.caCertificates] } : {}),
      timeout: (options.timeoutMs ?? DEFAULT_OUTSIDE_TIMEOUT_MS) + 1000,
    });
    const agent = new Agent({
      connect(connectOptions, callback) {
        connector(connectOptions, (error, socket) => {
          if (!error && socket) reflectorAddress = socket.remoteAddress ?? reflectorAddress;
          (callback as (err: Error | null, socket: Socket | null) => void)(error, socket);
        });
      },
    });
    try {
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        signal,
        headers: {
          'content-type': 'application/json',
          [HEADER_TIMESTAMP]: timestamp,
          [HEADER_NONCE]: nonce,
          [HEADER_SIGNATURE]: signRequest(options.secret, timestamp, nonce, body),
        },
        body,
      });
      const raw = await readCapped(response.body, MAX_RESPONSE_BODY_BYTES);
      if (response.statusCode !== 200) throw refusalFailure(response.statusCode, raw, Number(timestamp));
      const signature = response.headers[HEADER_SIGNATURE];
      if (typeof signature !== 'string' || !verifyResponse(options.secret, signature, nonce, raw))
        throw new ProbeFailure({
          phase: 'response',
          code: 'EBADSIGNATURE',
          message: 'the answer is not signed with our secret for this request (forged, replayed, or another secret)',
        });
      const answer = CheckResponse.safeParse(safeJson(raw));
      if (!answer.success)
        throw new ProbeFailure({
          phase: 'response',
          code: 'EBADRESPONSE',
          message: 'the answer is not a reflector answer',
        });
      return { response: answer.data, ...(reflectorAddress ? { reflectorAddress } : {}) };
    } catch (error) {
      if (error instanceof ProbeFailure) throw error;
      const code = errorCodeOf(error) ?? 'EUNKNOWN';
      const phase = phaseOfCode(code, false);
      throw new ProbeFailure({
        phase,
        code,
        message: `${redactUrl(url.href)}: ${describeCode(code) ?? (error instanceof Error ? error.message.split('\n')[0] : code)}`,
      });
    } finally {
      void agent.destroy().catch(() => undefined);
    }
  });
}

/** The reflector URL as it may be recorded or shown: credentials (never sent, see checkUrl) and token parameters dropped. */
export function reflectorDisplayUrl(reflectorUrl: string): string {
  try {
    const url = new URL(reflectorUrl);
    url.username = '';
    url.password = '';
    return redactUrl(url.href);
  } catch {
    return redactUrl(reflectorUrl.replace(/\/\/[^/@]*@/, '//'));
  }
}

/** `<reflector>/v1/check`, with any credentials, query or fragment dropped. */
export function checkUrl(reflectorUrl: string): URL {
  let url: URL;
  try {
    url = new URL(reflectorUrl);
  } catch {
    throw new ProbeFailure({ phase: 'request', code: 'EINVAL', message: 'the reflector URL is not a URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ProbeFailure({ phase: 'request', code: 'EINVAL', message: 'the reflector URL must be http(s)' });
  url.username = '';
  url.password = '';
  url.search = '';
  url.hash = '';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${CHECK_PATH}`;
  return url;
}

function refusalFailure(status: number, raw: Buffer, sentAt: number): ProbeFailure {
  const refusal = Refusal.safeParse(safeJson(raw));
  if (!refusal.success)
    return new ProbeFailure({ phase: 'response', code: `HTTP_${status}`, message: `the reflector answered ${status}` });
  const { code, message } = refusal.data.error;
  const skew =
    code === 'expired' && refusal.data.serverTime !== undefined
      ? ` (our clock is ${Math.round((sentAt - refusal.data.serverTime) / 1000)} s off the reflector's)`
      : '';
  return new ProbeFailure({
    phase: 'response',
    code: `EREFLECTOR_${code.toUpperCase().replace(/-/g, '_')}`,
    // The reflector's words are untrusted text: kept short; the output boundary neutralises control characters.
    message: `the reflector refused (${status} ${code}): ${message.slice(0, 200)}${skew}`,
  });
}

function safeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function readCapped(body: AsyncIterable<unknown> & { destroy(): unknown }, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > cap) {
      body.destroy();
      throw new ProbeFailure({ phase: 'response', code: 'EBODYTOOLARGE', message: `the answer exceeds ${cap} bytes` });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
