/**
 * One port, checked from the reflector back to the requester: a TCP handshake (the project's TCP probe), then when
 * asked and open, a TLS handshake (certificate names) and `GET /identity` (the project's identity probe, which sends
 * no token and follows no redirect). `address` is always the request's TCP source: callers never pass anything else.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { describeCertificate } from '../../probes/identity/tls-capture.js';
import { probeIdentity } from '../../probes/identity/probe.js';
import { probeTcp, tcpState } from '../../probes/tcp.js';
import { ProbeFailure, runProbe } from '../../probes/types.js';
import type { IdentityOutcome, PortCheckRequest, PortCheckResult, TcpOutcome, TlsOutcome } from '../protocol.js';

export interface PortDeadlines {
  tcpMs: number;
  tlsMs: number;
  identityMs: number;
}

/** TCP: a filtered port costs the whole deadline, so it is short; TLS and HTTP get a little more for slow hosts. */
export const DEFAULT_PORT_DEADLINES: PortDeadlines = { tcpMs: 3000, tlsMs: 4000, identityMs: 5000 };

export async function checkPort(
  address: string,
  family: 4 | 6,
  request: PortCheckRequest,
  deadlines: PortDeadlines,
  signal: AbortSignal,
): Promise<PortCheckResult> {
  const tcpResult = await probeTcp(address, request.port, { timeoutMs: deadlines.tcpMs, signal, family });
  const state = tcpState(tcpResult);
  const tcp: TcpOutcome =
    tcpResult.status === 'ok'
      ? { state: 'open', rttMs: tcpResult.value.rttMs }
      : { state: state === 'dns-failed' ? 'error' : state, code: tcpResult.error.code.slice(0, 64) };
  if (tcp.state !== 'open') return { port: request.port, tcp };
  const [tls, identity] = await Promise.all([
    request.tls ? checkTls(address, request.port, request.servername, deadlines.tlsMs, signal) : undefined,
    request.identity
      ? checkIdentity(address, family, request.port, request.identity, deadlines.identityMs, signal)
      : undefined,
  ]);
  return { port: request.port, tcp, ...(tls ? { tls } : {}), ...(identity ? { identity } : {}) };
}

async function checkTls(
  address: string,
  port: number,
  servername: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<TlsOutcome> {
  const result = await runProbe({ timeoutMs, signal, defaultTimeoutMs: timeoutMs }, (inner) =>
    tlsHandshake(address, port, servername, inner),
  );
  if (result.status === 'failed')
    return { status: 'failed', code: result.error.code.slice(0, 64), message: result.error.message.slice(0, 300) };
  return result.value;
}

function tlsHandshake(
  address: string,
  port: number,
  servername: string | undefined,
  signal: AbortSignal,
): Promise<TlsOutcome> {
  return new Promise((resolve, reject) => {
    // Verification runs (Node computes `authorized` either way); we only keep the socket for the certificate's names.
    const socket: TLSSocket = tlsConnect({
      host: address,
      port,
      ...(servername ? { servername } : {}),
      rejectUnauthorized: false,
    });
    const finish = (outcome: () => void): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      outcome();
    };
    const onAbort = (): void =>
      finish(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate(false);
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
      const protocol = socket.getProtocol() ?? undefined;
      const outcome: TlsOutcome = {
        status: 'ok',
        authorized: socket.authorized === true,
        ...(protocol ? { protocol } : {}),
        ...(authorizationError ? { authorizationError: authorizationError.slice(0, 128) } : {}),
        ...(servername ? { servername } : {}),
        ...(peer && Object.keys(peer).length > 0 ? { certificate: certificateOf(peer, servername ?? address) } : {}),
      };
      finish(() => resolve(outcome));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'EUNKNOWN';
      const message =
        code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? 'the port does not speak TLS' : (error.message.split('\n')[0] ?? '');
      finish(() => reject(new ProbeFailure({ phase: 'tls', code, message })));
    });
  });
}

/** A CDN certificate can list hundreds of names; the first few say whose it is, and the answer stays small. */
const MAX_ALT_NAMES = 16;

function certificateOf(peer: Parameters<typeof describeCertificate>[0], host: string) {
  const described = describeCertificate(peer, host);
  return {
    ...described,
    // The wire schema bounds these (src/outside/protocol.ts): a longer name would make the client refuse the answer.
    ...(described.subject ? { subject: described.subject.slice(0, 1024) } : {}),
    ...(described.issuer ? { issuer: described.issuer.slice(0, 1024) } : {}),
    subjectAltNames: described.subjectAltNames.slice(0, MAX_ALT_NAMES).map((n) => n.slice(0, 260)),
  };
}

async function checkIdentity(
  address: string,
  family: 4 | 6,
  port: number,
  scheme: 'http' | 'https',
  timeoutMs: number,
  signal: AbortSignal,
): Promise<IdentityOutcome> {
  const host = family === 6 ? `[${address}]` : address;
  const result = await probeIdentity(`${scheme}://${host}:${port}`, { timeoutMs, signal });
  if (result.status === 'failed')
    return {
      status: 'failed',
      phase: result.error.phase,
      code: result.error.code.slice(0, 64),
      message: result.error.message.slice(0, 300),
    };
  const value = result.value;
  return {
    status: 'ok',
    httpStatus: value.status,
    bodyKind: value.bodyKind,
    ...(value.machineIdentifier ? { machineIdentifier: value.machineIdentifier.slice(0, 200) } : {}),
    ...(value.version ? { version: value.version.slice(0, 100) } : {}),
    ...(value.server ? { server: value.server } : {}),
    ...(value.title ? { title: value.title } : {}),
  };
}
