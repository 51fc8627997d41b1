/**
 * The reflector's wire protocol, shared by the server (src/outside/reflector/) and the client (client.ts): one zod
 * schema per message, parsed on both sides. Version 1:
 *
 *   POST /v1/check   content-type: application/json
 *   x-plexdiag-timestamp: <unix ms>   x-plexdiag-nonce: <32-64 hex>   x-plexdiag-signature: v1=<hex HMAC-SHA256>
 *   {"version":1,"ports":[{"port":32400,"tls":true,"identity":"http"}]}
 *
 * The body names PORTS only: the address checked is always the source address of the request's TCP connection, so
 * there is no field an attacker could point at a third party (strict objects: an unknown field is a 400).
 * The 200 answer is signed too (over the request's nonce), so a network in the middle cannot forge "open".
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const CHECK_PATH = '/v1/check';
export const HEADER_TIMESTAMP = 'x-plexdiag-timestamp';
export const HEADER_NONCE = 'x-plexdiag-nonce';
export const HEADER_SIGNATURE = 'x-plexdiag-signature';

/** At most this many ports per request: enough for Plex plus a handful of forwards, too few to be a port scanner. */
export const MAX_PORTS_PER_REQUEST = 8;
/** 8 ports with a 253-character SNI name each fit in about 2.5 KiB. */
export const MAX_REQUEST_BODY_BYTES = 4096;
/** An answer for 8 ports with certificate details is a few KiB; the client stops reading past this. */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

const HOST_NAME =
  /^(?=.{1,253}$)(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IPV4_LIKE = /^[\d.]+$/;

export const PortCheckRequest = z.strictObject({
  port: z.number().int().min(1).max(65535),
  /** Do a TLS handshake after the TCP one and report the certificate's names. @default false */
  tls: z.boolean().optional(),
  /**
   * The SNI name for that handshake (e.g. `<ip>.<hash>.plex.direct`): only sent inside the handshake, never resolved
   * or dialled. IP literals are refused (SNI carries names only).
   */
  servername: z
    .string()
    .regex(HOST_NAME, 'servername must be a DNS name')
    .refine((name) => !IPV4_LIKE.test(name), 'servername must be a DNS name, not an address')
    .optional(),
  /** `GET /identity` on this port, over plain HTTP or HTTPS, to see which Plex server answers. @default none */
  identity: z.enum(['http', 'https']).optional(),
});
export type PortCheckRequest = z.infer<typeof PortCheckRequest>;

export const CheckRequest = z
  .strictObject({
    version: z.literal(PROTOCOL_VERSION),
    ports: z.array(PortCheckRequest).min(1).max(MAX_PORTS_PER_REQUEST),
  })
  .refine((request) => new Set(request.ports.map((p) => p.port)).size === request.ports.length, {
    message: 'each port at most once',
  });
export type CheckRequest = z.infer<typeof CheckRequest>;

/**
 * Control characters (C0, DEL, C1) and bidirectional overrides, in any text of an answer or a refusal: the reflector,
 * the devices it connected to and anyone on the path of an unsigned refusal choose these bytes, and they end up on a
 * terminal (an ESC sequence can retitle it, clear it or forge a line). Parsing replaces each with U+FFFD.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
export const neutraliseText = (value: string): string => value.replace(UNSAFE_CHARACTERS, '\ufffd');

const text = (max: number) => z.string().max(max).transform(neutraliseText);

/** The certificate as the answer carries it (src/probes/identity/tls-capture.ts's shape, every text bounded and neutralised). */
const WireCertificate = z.object({
  subject: text(1024).optional(),
  subjectAltNames: z.array(text(260)).max(16),
  issuer: text(1024).optional(),
  validFrom: text(40).optional(),
  validTo: text(40).optional(),
  fingerprint256: text(200).optional(),
  coversHost: z.boolean(),
});

/** What a TCP handshake from the reflector to the requester's address found (states as src/probes/tcp.ts names them). */
export const TcpOutcome = z.object({
  state: z.enum(['open', 'refused', 'filtered', 'unreachable', 'error']),
  rttMs: z.number().optional(),
  code: text(64).optional(),
});
export type TcpOutcome = z.infer<typeof TcpOutcome>;

export const TlsOutcome = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    protocol: text(32).optional(),
    /** Chain and name verified against the reflector's trusted roots (for the SNI name, if one was sent). */
    authorized: z.boolean(),
    authorizationError: text(128).optional(),
    servername: text(253).optional(),
    certificate: WireCertificate.optional(),
  }),
  z.object({ status: z.literal('failed'), code: text(64), message: text(300) }),
]);
export type TlsOutcome = z.infer<typeof TlsOutcome>;

export const IdentityOutcome = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    httpStatus: z.number().int(),
    bodyKind: z.enum(['plex-identity', 'html', 'empty', 'malformed', 'other']),
    machineIdentifier: text(200).optional(),
    version: text(100).optional(),
    server: text(120).optional(),
    title: text(120).optional(),
  }),
  z.object({ status: z.literal('failed'), phase: text(16), code: text(64), message: text(300) }),
]);
export type IdentityOutcome = z.infer<typeof IdentityOutcome>;

export const PortCheckResult = z.object({
  port: z.number().int().min(1).max(65535),
  tcp: TcpOutcome,
  /** Present when asked for and the port was open. */
  tls: TlsOutcome.optional(),
  identity: IdentityOutcome.optional(),
});
export type PortCheckResult = z.infer<typeof PortCheckResult>;

export const CheckResponse = z.object({
  version: z.literal(PROTOCOL_VERSION),
  /** The address the reflector saw the request come from, and so the only one it checked. */
  source: z.object({ address: text(64), family: z.union([z.literal(4), z.literal(6)]) }),
  /** The reflector's clock (ISO 8601) when the checks ended. */
  checkedAt: text(40),
  durationMs: z.number(),
  results: z.array(PortCheckResult).max(MAX_PORTS_PER_REQUEST),
});
export type CheckResponse = z.infer<typeof CheckResponse>;

export const REFUSAL_CODES = [
  'unauthorized',
  'expired',
  'replayed',
  'rate-limited',
  'busy',
  'too-large',
  'bad-request',
  'unsupported-media-type',
  'not-found',
  'method-not-allowed',
  'timeout',
] as const;
export const RefusalCode = z.enum(REFUSAL_CODES);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** Every non-200 answer. Unsigned (an unauthenticated caller gets one too), so the client only reports it. */
export const Refusal = z.object({
  version: z.literal(PROTOCOL_VERSION),
  error: z.object({ code: RefusalCode, message: text(300) }),
  /** On `expired`: the reflector's clock, so the client can say how far off its own is. */
  serverTime: z.number().optional(),
});
export type Refusal = z.infer<typeof Refusal>;
