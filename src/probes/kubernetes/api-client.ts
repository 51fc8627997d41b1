/**
 * Read-only GETs against the in-cluster API server. The bearer token goes to `KUBERNETES_SERVICE_HOST:PORT` and
 * nowhere else: redirects are never followed (a 3xx is an error, so the Authorization header cannot ride along to
 * another host), TLS is verified against the mount's ca.crt only (not the system store), and the token is scrubbed
 * from every message this module returns. Each call has a deadline and a body cap.
 */
import type { Agent } from 'undici';
import type { z } from 'zod';
import { httpRequest } from '../../http/transport.js';
import { loadUndici } from '../../http/load-undici.js';
import { errorCodeOf, phaseOfCode } from '../../http/network-error.js';
import { redactText } from '../../core/redact.js';
import type { KubernetesCredentials } from './environment.js';
import { Status } from './api-shapes.js';

export type ApiRead<T> =
  | { status: 'ok'; value: T }
  /** 401/403: the service account may not read it (RBAC), or the token was refused. */
  | { status: 'forbidden'; httpStatus: number; message: string }
  | { status: 'failed'; code: string; phase?: string; message: string };

export interface KubernetesApiOptions {
  /** Deadline per request. @default 3000 */
  timeoutMs?: number;
  /** Largest body read; a ServiceList of a busy namespace stays far below. @default 2 MiB */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

export interface KubernetesApi {
  get<T>(path: string, schema: z.ZodType<T>): Promise<ApiRead<T>>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_MESSAGE_CHARS = 300;

export function createKubernetesApi(
  credentials: KubernetesCredentials,
  options: KubernetesApiOptions = {},
): KubernetesApi {
  const { host, port, token, ca } = credentials;
  const origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Only the mount's CA: a certificate the system store trusts but the cluster's CA did not sign is refused.
  // Built on the first GET (undici loads on first use: src/http/load-undici.ts); a client never used loads nothing.
  let agent: Promise<Agent> | undefined;
  const agentOnce = (): Promise<Agent> =>
    (agent ??= loadUndici().then(
      ({ Agent }) => new Agent({ connect: { ca, rejectUnauthorized: true }, connections: 2 }),
    ));
  const scrub = (text: string): string => redactText(text, [token]).slice(0, MAX_MESSAGE_CHARS);

  async function get<T>(path: string, schema: z.ZodType<T>): Promise<ApiRead<T>> {
    let response;
    try {
      response = await httpRequest({
        url: `${origin}${path}`,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        dispatcher: await agentOnce(),
        maxRedirects: 0,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      const e = error as { code?: unknown; causeCode?: unknown; phase?: unknown; cause?: unknown };
      const low = typeof e.causeCode === 'string' ? e.causeCode : errorCodeOf(e.cause);
      const code = low ?? (typeof e.code === 'string' ? e.code : 'EUNKNOWN');
      const phase =
        typeof e.phase === 'string' ? e.phase : e.code === 'PLEXDIAG_TIMEOUT' ? 'timeout' : phaseOfCode(low, false);
      const message = error instanceof Error ? error.message : String(error);
      return { status: 'failed', code, phase, message: scrub(message) };
    }
    const json = parseJson(response.body);
    if (response.status === 401 || response.status === 403) {
      const status = Status.safeParse(json);
      const detail = status.success && status.data.message ? `: ${status.data.message}` : '';
      return { status: 'forbidden', httpStatus: response.status, message: scrub(`HTTP ${response.status}${detail}`) };
    }
    if (response.status >= 300 || response.status < 200) {
      const status = Status.safeParse(json);
      const detail = status.success ? ` ${status.data.reason ?? ''} ${status.data.message ?? ''}`.trimEnd() : '';
      const kind = response.status >= 300 && response.status < 400 ? 'a redirect, not followed' : 'an error';
      return {
        status: 'failed',
        code: `HTTP_${response.status}`,
        phase: 'response',
        message: scrub(`GET ${path}: HTTP ${response.status} (${kind})${detail}`),
      };
    }
    if (json === undefined)
      return {
        status: 'failed',
        code: 'EBADRESPONSE',
        phase: 'response',
        message: `GET ${path}: the body is not JSON`,
      };
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      return {
        status: 'failed',
        code: 'EBADRESPONSE',
        phase: 'response',
        message: `GET ${path}: the body is not the expected object`,
      };
    return { status: 'ok', value: parsed.data };
  }

  return { get, close: async () => (agent === undefined ? undefined : (await agent).close()) };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
