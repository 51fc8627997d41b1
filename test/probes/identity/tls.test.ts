/**
 * probeIdentity over TLS with plex.direct names, against a real https server on loopback using certificates made at
 * test time by the openssl CLI (test/probes/support/certs.ts). The connection goes to the IP encoded in the name
 * with the name as SNI and Host, as a Plex client does.
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityProbeValue, probeIdentity } from '../../../src/probes/identity/probe.js';
import type { ProbeResult } from '../../../src/probes/types.js';
import { startFakeDnsServer, type FakeDnsServer } from '../../../src/testing/fake-dns.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';
import { hasOpenssl, makeTestCertificates, type TestCertificates } from '../support/certs.js';

const HASH = '0123456789abcdef0123456789abcdef';
const OTHER_HASH = 'ffffffffffffffffffffffffffffffff';
const MACHINE_ID = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const IDENTITY = `<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" claimed="1" machineIdentifier="${MACHINE_ID}" version="1.41.0.8992"></MediaContainer>`;

interface Handshake {
  servername: string | false | undefined;
  host: string | undefined;
}

function okValue(result: ProbeResult<IdentityProbeValue>): IdentityProbeValue {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  expect(IdentityProbeValue.parse(JSON.parse(JSON.stringify(result.value)))).toEqual(result.value);
  return result.value;
}

async function httpsServer(
  certs: { cert: string; key: string },
  host = '127.0.0.1',
  seen: Handshake[] = [],
): Promise<LoopbackServer> {
  return startLoopbackServer(
    (request, response) => {
      seen.push({
        servername: (request.socket as Socket & { servername?: string | false }).servername,
        host: request.headers.host,
      });
      response.writeHead(200, { 'Content-Type': 'text/xml' });
      response.end(IDENTITY);
    },
    { host, tls: certs },
  );
}

describe.skipIf(!hasOpenssl())('probeIdentity over TLS with plex.direct names', () => {
  let certs: TestCertificates;
  let server: LoopbackServer;
  let expiredServer: LoopbackServer;
  const seen: Handshake[] = [];
  const nameUrl = (label: string, port: number, hash = HASH): string => `https://${label}.${hash}.plex.direct:${port}`;
  beforeAll(async () => {
    certs = makeTestCertificates(HASH);
    server = await httpsServer(certs.wildcard, '127.0.0.1', seen);
    expiredServer = await httpsServer(certs.expired);
  });
  afterAll(async () => {
    await server?.close();
    await expiredServer?.close();
    certs?.cleanup();
  });

  it('connects to the encoded IP with the plex.direct SNI and Host; with the CA trusted the certificate is authorized and covers the host', async () => {
    seen.length = 0;
    const value = okValue(
      await probeIdentity(nameUrl('127-0-0-1', server.port), {
        resolveTo: '127.0.0.1',
        caCertificates: [certs.wildcard.cert],
        expectedMachineIdentifier: MACHINE_ID,
        timeoutMs: 2000,
      }),
    );
    expect(value).toMatchObject({
      resolvedVia: 'plex-direct-ip',
      connectedAddress: '127.0.0.1',
      bodyKind: 'plex-identity',
      identityMatches: true,
    });
    expect(value.tls).toMatchObject({
      authorized: true,
      servername: `127-0-0-1.${HASH}.plex.direct`,
      certificate: {
        subject: `CN=*.${HASH}.plex.direct`,
        subjectAltNames: [`DNS:*.${HASH}.plex.direct`],
        coversHost: true,
      },
    });
    expect(value.tls?.authorizationError).toBeUndefined();
    expect(value.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(value.tls?.certificate?.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(value.tls?.certificate?.validTo ?? '')).toBeGreaterThan(Date.now());
    expect(seen).toEqual([
      { servername: `127-0-0-1.${HASH}.plex.direct`, host: `127-0-0-1.${HASH}.plex.direct:${server.port}` },
    ]);
  });

  it('without the CA: not authorized (DEPTH_ZERO_SELF_SIGNED_CERT), yet the certificate and the identity are captured', async () => {
    const value = okValue(
      await probeIdentity(nameUrl('127-0-0-1', server.port), { resolveTo: '127.0.0.1', timeoutMs: 2000 }),
    );
    expect(value.tls).toMatchObject({
      authorized: false,
      authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      certificate: { coversHost: true },
    });
    expect(value.tls?.certificate?.subjectAltNames).toEqual([`DNS:*.${HASH}.plex.direct`]);
    expect(value.machineIdentifier).toBe(MACHINE_ID);
  });

  it('a name with another hash: ERR_TLS_CERT_ALTNAME_INVALID and coversHost false, even with the CA trusted', async () => {
    const value = okValue(
      await probeIdentity(nameUrl('127-0-0-1', server.port, OTHER_HASH), {
        resolveTo: '127.0.0.1',
        caCertificates: [certs.wildcard.cert],
        timeoutMs: 2000,
      }),
    );
    expect(value.tls).toMatchObject({
      authorized: false,
      authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
      servername: `127-0-0-1.${OTHER_HASH}.plex.direct`,
    });
    expect(value.tls?.certificate?.coversHost).toBe(false);
  });

  it('an expired certificate: CERT_HAS_EXPIRED with its validity dates', async () => {
    const value = okValue(
      await probeIdentity(nameUrl('127-0-0-1', expiredServer.port), {
        resolveTo: '127.0.0.1',
        caCertificates: [certs.expired.cert],
        timeoutMs: 2000,
      }),
    );
    expect(value.tls).toMatchObject({
      authorized: false,
      authorizationError: 'CERT_HAS_EXPIRED',
      certificate: { validFrom: '2020-01-01T00:00:00.000Z', validTo: '2020-01-02T00:00:00.000Z', coversHost: true },
    });
  });

  it('an IP-literal https URL sends no SNI; a plex.direct certificate does not cover the IP', async () => {
    const value = okValue(
      await probeIdentity(`https://127.0.0.1:${server.port}`, {
        caCertificates: [certs.wildcard.cert],
        timeoutMs: 2000,
      }),
    );
    expect(value.resolvedVia).toBe('literal');
    expect(value.tls).toMatchObject({
      authorized: false,
      authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
      certificate: { coversHost: false },
    });
    expect(value.tls?.servername).toBeUndefined();
  });

  it('falls back to the encoded IP when the resolver blocks the name: certificate fine, DNS blocked', async () => {
    const dns: FakeDnsServer = await startFakeDnsServer({ mode: 'rebind-empty' });
    try {
      const value = okValue(
        await probeIdentity(nameUrl('127-0-0-1', server.port), {
          dnsServers: [dns.address],
          caCertificates: [certs.wildcard.cert],
          timeoutMs: 2000,
        }),
      );
      expect(value).toMatchObject({ resolvedVia: 'plex-direct-ip', dnsError: 'ENODATA', tls: { authorized: true } });
    } finally {
      await dns.close();
    }
  });

  it('IPv6: an encoded ::1 name reaches a server on ::1 with its SNI', async (context) => {
    let v6: LoopbackServer;
    const handshakes: Handshake[] = [];
    try {
      v6 = await httpsServer(certs.wildcard, '::1', handshakes);
    } catch {
      return context.skip('this machine has no ::1 (IPv6 loopback disabled)');
    }
    try {
      const value = okValue(
        await probeIdentity(nameUrl('--1', v6.port), {
          resolveTo: '::1',
          caCertificates: [certs.wildcard.cert],
          timeoutMs: 2000,
        }),
      );
      expect(value).toMatchObject({
        resolvedVia: 'plex-direct-ip',
        connectedAddress: '::1',
        tls: { authorized: true },
      });
      expect(handshakes[0]?.servername).toBe(`--1.${HASH}.plex.direct`);
    } finally {
      await v6.close();
    }
  });

  it('https to a plain-HTTP port fails in phase tls; http to a TLS port fails without an answer', async () => {
    const plain = await startLoopbackServer((_request, response) => void response.end(IDENTITY));
    try {
      const tlsToPlain = await probeIdentity(`https://127.0.0.1:${plain.port}`, { timeoutMs: 2000 });
      expect(tlsToPlain).toMatchObject({ status: 'failed', error: { phase: 'tls' } });
    } finally {
      await plain.close();
    }
    const plainToTls = await probeIdentity(`http://127.0.0.1:${server.port}`, { timeoutMs: 2000 });
    expect(plainToTls.status).toBe('failed');
  });

  it('a peer that accepts TCP and never starts the handshake: phase timeout at the deadline', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as { port: number }).port;
      const result = await probeIdentity(nameUrl('127-0-0-1', port), { resolveTo: '127.0.0.1', timeoutMs: 300 });
      expect(result).toMatchObject({ status: 'failed', error: { phase: 'timeout', code: 'ETIMEDOUT' } });
      expect(result.durationMs).toBeLessThan(1500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
