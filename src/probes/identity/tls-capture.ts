/**
 * What an identity probe's connection was: the address it reached and, for TLS, the verdict Node's verification
 * reached plus the certificate, even an untrusted one (docs/reference/toolchain.md §3). connection.ts records it per
 * socket.
 * Verification runs in full (chain, then host name through `checkServerIdentity`); we only keep the socket open after a
 * failed verdict, because a probe sends no secret and the server's answer is more evidence ("cert wrong, but it is
 * Plex").
 */
import { checkServerIdentity, type DetailedPeerCertificate, type PeerCertificate, type TLSSocket } from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { z } from 'zod';

export const TlsCertificateInfo = z.object({
  /** "CN=*.abc.plex.direct, O=Plex, Inc." */
  subject: z.string().optional(),
  /** As the certificate lists them: "DNS:*.abc.plex.direct", "IP Address:192.0.2.1". */
  subjectAltNames: z.array(z.string()),
  issuer: z.string().optional(),
  /** ISO 8601. */
  validFrom: z.string().optional(),
  validTo: z.string().optional(),
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: z.string().optional(),
  /** The certificate names the host we asked for (SNI name, or the IP for a literal URL), by Node's own rules. */
  coversHost: z.boolean(),
});
export type TlsCertificateInfo = z.infer<typeof TlsCertificateInfo>;

export const TlsInfo = z.object({
  /** Chain and host name verified against the trusted roots. */
  authorized: z.boolean(),
  /** Node's reason when not authorized: DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID... */
  authorizationError: z.string().optional(),
  /** The SNI name sent; absent for an IP literal (no SNI is sent for IPs). */
  servername: z.string().optional(),
  /** "TLSv1.3". */
  protocol: z.string().optional(),
  certificate: TlsCertificateInfo.optional(),
});
export type TlsInfo = z.infer<typeof TlsInfo>;

export interface ConnectionCapture {
  remoteAddress?: string;
  tls?: TlsInfo;
}

/** What one socket was: the address it reached and, for TLS, the verdict and the certificate. */
export function describeConnection(socket: Socket, host: string, servername: string | undefined): ConnectionCapture {
  const capture: ConnectionCapture = { ...(socket.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}) };
  const tlsSocket = socket as TLSSocket;
  if (typeof tlsSocket.getPeerCertificate !== 'function') return capture;
  const peer = tlsSocket.getPeerCertificate(false);
  const authorizationError = tlsSocket.authorizationError ? String(tlsSocket.authorizationError) : undefined;
  capture.tls = {
    authorized: tlsSocket.authorized === true,
    ...(authorizationError ? { authorizationError } : {}),
    ...(servername && isIP(servername) === 0 ? { servername } : {}),
    ...(tlsSocket.getProtocol() ? { protocol: tlsSocket.getProtocol() ?? undefined } : {}),
    ...(peer && Object.keys(peer).length > 0 ? { certificate: describeCertificate(peer, host) } : {}),
  };
  return capture;
}

/** A plain-JSON view of a peer certificate, and whether it names `host`. */
export function describeCertificate(cert: PeerCertificate | DetailedPeerCertificate, host: string): TlsCertificateInfo {
  const subject = distinguishedName(cert.subject);
  const issuer = distinguishedName(cert.issuer);
  const validFrom = isoDate(cert.valid_from);
  const validTo = isoDate(cert.valid_to);
  return {
    ...(subject ? { subject } : {}),
    subjectAltNames: splitAltNames(cert.subjectaltname),
    ...(issuer ? { issuer } : {}),
    ...(validFrom ? { validFrom } : {}),
    ...(validTo ? { validTo } : {}),
    ...(cert.fingerprint256 ? { fingerprint256: cert.fingerprint256 } : {}),
    coversHost: host !== '' && safeCheckServerIdentity(host, cert),
  };
}

function safeCheckServerIdentity(host: string, cert: PeerCertificate): boolean {
  try {
    return checkServerIdentity(host, cert) === undefined;
  } catch {
    return false;
  }
}

function distinguishedName(name: object | undefined): string | undefined {
  if (!name || typeof name !== 'object') return undefined;
  // Multi-valued attributes (two OU=...) arrive as arrays.
  const parts = Object.entries(name as Record<string, string | string[]>).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => `${key}=${v}`),
  );
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function isoDate(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** "DNS:a, DNS:b, IP Address:1.2.3.4" → entries; Node quotes (JSON-style) entries that contain a comma. */
function splitAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const entries = text.match(/(?:[^,"]|"(?:\\.|[^"\\])*")+/g) ?? [];
  return entries.map((entry) => entry.trim()).filter(Boolean);
}
