import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  identityUrl,
  IdentityProbeValue,
  probeIdentity,
  type IdentityProbeOptions,
} from '../../../src/probes/identity/probe.js';
import type { ProbeResult } from '../../../src/probes/types.js';
import { startFakeDnsServer, type FakeDnsServer } from '../../../src/testing/fake-dns.js';
import { playFault, type FakeFault } from '../../../src/testing/faults.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';

// Verbatim PMS answer (plexopedia capture, plex-api.md §1), copied from the shared payloads.
const IDENTITY_XML = readFileSync(
  new URL('../../fixtures/probes/identity-xml__plexopedia.xml', import.meta.url),
  'utf8',
);
const FIXTURE_ID = '6a646027a56abb6dbdf72484564db8567c737430';
const HASH = '0123456789abcdef0123456789abcdef';
const TOKEN = 'tok3nSECRETvalue123';

type Reply =
  | { kind: 'fault'; fault: FakeFault }
  | { kind: 'body'; status?: number; headers?: Record<string, string>; body: string }
  /** An HTML page whose body streams 16 KiB chunks as fast as the client reads, forever. */
  | { kind: 'firehose' };
interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

function okValue(result: ProbeResult<IdentityProbeValue>): IdentityProbeValue {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  // A value must survive the snapshot round trip through its schema unchanged.
  expect(IdentityProbeValue.parse(JSON.parse(JSON.stringify(result.value)))).toEqual(result.value);
  return result.value;
}

function failure(result: ProbeResult<IdentityProbeValue>): { phase: string; code: string; message: string } {
  if (result.status !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

/** A raw TCP peer: for answers no HTTP server would give. */
async function rawServer(onConnection: (socket: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('probeIdentity over plain HTTP (real loopback server)', () => {
  let server: LoopbackServer;
  let reply: Reply;
  const seen: Seen[] = [];
  const probe = (options: IdentityProbeOptions = {}, uri = server.url): Promise<ProbeResult<IdentityProbeValue>> =>
    probeIdentity(uri, { timeoutMs: 1000, ...options });
  beforeAll(async () => {
    server = await startLoopbackServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers });
      if (reply.kind === 'fault') return playFault(reply.fault, request, response, 'xml');
      if (reply.kind === 'firehose') {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.write('<!DOCTYPE html><html><head><title>Streaming</title></head><body>');
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        const pump = (): void => {
          while (!response.destroyed && response.write(chunk));
          if (!response.destroyed) response.once('drain', pump);
        };
        pump();
        return;
      }
      response.writeHead(reply.status ?? 200, reply.headers ?? { 'Content-Type': 'text/xml;charset=utf-8' });
      response.end(reply.body);
    });
  });
  afterEach(() => {
    seen.length = 0;
  });
  afterAll(async () => {
    await server.close();
  });

  it('reads a real PMS identity (XML), without sending a token or the query string it was given', async () => {
    reply = { kind: 'body', body: IDENTITY_XML };
    const value = okValue(
      await probe({ expectedMachineIdentifier: FIXTURE_ID.toUpperCase() }, `${server.url}/?X-Plex-Token=${TOKEN}`),
    );
    expect(value).toMatchObject({
      url: `${server.url}/identity`,
      status: 200,
      bodyKind: 'plex-identity',
      machineIdentifier: FIXTURE_ID,
      version: '1.29.1.6316-f4cdfea9c',
      claimed: true,
      identityMatches: true,
      connectedAddress: '127.0.0.1',
      resolvedVia: 'literal',
    });
    expect(value.tls).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/identity');
    expect(seen[0]?.headers['x-plex-token']).toBeUndefined();
    expect(JSON.stringify(value)).not.toContain(TOKEN);
  });

  it('reads a JSON identity, and says when it is another server (ok, identityMatches false)', async () => {
    reply = {
      kind: 'body',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        MediaContainer: { size: 0, claimed: false, machineIdentifier: 'someoneelse', version: '1.31.3.6868-28fc46b27' },
      }),
    };
    const value = okValue(await probe({ expectedMachineIdentifier: FIXTURE_ID }));
    expect(value).toMatchObject({
      bodyKind: 'plex-identity',
      machineIdentifier: 'someoneelse',
      claimed: false,
      identityMatches: false,
    });
  });

  it('appends /identity to a base path and drops credentials from the URL', () => {
    expect(identityUrl('https://user:pw@1-2-3-4.abc.plex.direct:32400/plex/?X-Plex-Token=x#frag').href).toBe(
      'https://1-2-3-4.abc.plex.direct:32400/plex/identity',
    );
  });

  it("keeps a router's login page as evidence: ok, status, title and Server header, no identity", async () => {
    reply = {
      kind: 'body',
      headers: { 'Content-Type': 'text/html', Server: 'micro_httpd' },
      body: '<!DOCTYPE html><html><head><title>RT-AX88U Login</title></head><body><form></form></body></html>',
    };
    const value = okValue(await probe({ expectedMachineIdentifier: FIXTURE_ID }));
    expect(value).toMatchObject({ status: 200, bodyKind: 'html', title: 'RT-AX88U Login', server: 'micro_httpd' });
    expect(value.machineIdentifier).toBeUndefined();
    expect(value.identityMatches).toBeUndefined();
  });

  it('keeps non-identity answers as ok data: a 404, JSON without machineIdentifier, malformed XML, an empty body', async () => {
    reply = { kind: 'body', status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'Not Found' };
    expect(okValue(await probe())).toMatchObject({ status: 404, bodyKind: 'other' });
    reply = { kind: 'body', headers: { 'Content-Type': 'application/json' }, body: '{"MediaContainer":{"size":0}}' };
    expect(okValue(await probe())).toMatchObject({ status: 200, bodyKind: 'other' });
    reply = { kind: 'fault', fault: { kind: 'malformed' } };
    expect(okValue(await probe())).toMatchObject({ status: 200, bodyKind: 'malformed' });
    reply = { kind: 'body', body: '' };
    expect(okValue(await probe())).toMatchObject({ status: 200, bodyKind: 'empty' });
  });

  it('does not follow a redirect: the 3xx and its target are the evidence', async () => {
    reply = { kind: 'fault', fault: { kind: 'redirect', location: '/login.html?next=%2Fidentity' } };
    const value = okValue(await probe());
    expect(value).toMatchObject({ status: 302, location: `${server.url}/login.html?next=%2Fidentity` });
    expect(seen).toHaveLength(1);
    // A redirect target that carries a token (a misconfigured proxy) is kept redacted.
    reply = { kind: 'fault', fault: { kind: 'redirect', location: `https://app.plex.tv/?X-Plex-Token=${TOKEN}` } };
    const leaky = okValue(await probe());
    expect(leaky.location).toBe('https://app.plex.tv/?X-Plex-Token=REDACTED');
  });

  it('stops reading at the 64 KiB cap: a body that never ends but arrives fast still gives an answer', async () => {
    // Without the cap this would read until the deadline and fail with a timeout.
    reply = { kind: 'firehose' };
    const value = okValue(await probe({ timeoutMs: 2000 }));
    expect(value).toMatchObject({ status: 200, bodyKind: 'html', title: 'Streaming' });
  });

  it('fails with phase timeout when the server never answers (hang), within a generous bound of its deadline', async () => {
    reply = { kind: 'fault', fault: { kind: 'hang' } };
    const timeoutMs = 300;
    const result = await probe({ timeoutMs });
    expect(failure(result)).toMatchObject({ phase: 'timeout', code: 'ETIMEDOUT' });
    expect(result.durationMs).toBeLessThan(timeoutMs * 5);
  });

  it('fails with phase timeout when the body never ends (endless trickle below the cap)', async () => {
    reply = { kind: 'fault', fault: { kind: 'endless' } };
    expect(failure(await probe({ timeoutMs: 300 }))).toMatchObject({ phase: 'timeout', code: 'ETIMEDOUT' });
  });

  it('fails in phase request on a reset before any answer, and in phase response when the body is cut short', async () => {
    reply = { kind: 'fault', fault: { kind: 'reset' } };
    const reset = failure(await probe());
    expect(reset.phase).toBe('request');
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(reset.code);
    reply = { kind: 'fault', fault: { kind: 'truncated' } };
    expect(failure(await probe()).phase).toBe('response');
  });

  it('stops with EABORTED when the caller aborts', async () => {
    reply = { kind: 'fault', fault: { kind: 'hang' } };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(failure(await probe({ timeoutMs: 10_000, signal: controller.signal })).code).toBe('EABORTED');
  });

  it('dials resolveTo for a name, keeping the name in the Host header (resolvedVia resolve-to)', async () => {
    reply = { kind: 'body', body: IDENTITY_XML };
    const value = okValue(await probe({ resolveTo: '127.0.0.1' }, `http://plex.example.test:${server.port}`));
    expect(value).toMatchObject({
      resolvedVia: 'resolve-to',
      connectedAddress: '127.0.0.1',
      bodyKind: 'plex-identity',
    });
    expect(seen[0]?.headers.host).toBe(`plex.example.test:${server.port}`);
  });
});

describe('probeIdentity: names, DNS and the plex.direct fallback', () => {
  let server: LoopbackServer;
  let dns: FakeDnsServer;
  const hosts: string[] = [];
  const plexDirect = (label: string, port: number): string => `http://${label}.${HASH}.plex.direct:${port}`;
  beforeAll(async () => {
    server = await startLoopbackServer((request, response) => {
      hosts.push(request.headers.host ?? '');
      response.writeHead(200, { 'Content-Type': 'text/xml' });
      response.end(IDENTITY_XML);
    });
    dns = await startFakeDnsServer();
  });
  afterAll(async () => {
    await server.close();
    await dns.close();
  });

  it('uses DNS when the name resolves (resolvedVia dns)', async () => {
    dns.setMode('plex-direct');
    const value = okValue(
      await probeIdentity(plexDirect('127-0-0-1', server.port), { dnsServers: [dns.address], timeoutMs: 1000 }),
    );
    expect(value).toMatchObject({ resolvedVia: 'dns', connectedAddress: '127.0.0.1', machineIdentifier: FIXTURE_ID });
    expect(value.dnsError).toBeUndefined();
  });

  it('falls back to the address encoded in a plex.direct name when DNS refuses it, and records why', async () => {
    dns.setMode('rebind-nxdomain');
    const value = okValue(
      await probeIdentity(plexDirect('127-0-0-1', server.port), { dnsServers: [dns.address], timeoutMs: 1000 }),
    );
    expect(value).toMatchObject({
      resolvedVia: 'plex-direct-ip',
      dnsError: 'ENOTFOUND',
      connectedAddress: '127.0.0.1',
      bodyKind: 'plex-identity',
    });
    expect(hosts.at(-1)).toBe(`127-0-0-1.${HASH}.plex.direct:${server.port}`);
  });

  it('falls back within the deadline when the resolver never answers (DNS gets a share of the time, not all of it)', async () => {
    dns.setMode('silent');
    const value = okValue(
      await probeIdentity(plexDirect('127-0-0-1', server.port), { dnsServers: [dns.address], timeoutMs: 1000 }),
    );
    expect(value).toMatchObject({ resolvedVia: 'plex-direct-ip', dnsError: 'ETIMEDOUT', bodyKind: 'plex-identity' });
  });

  it('fails in phase dns for an ordinary name that does not resolve', async () => {
    expect(failure(await probeIdentity('http://plex-diagnose-test.invalid:32400', { timeoutMs: 2000 })).phase).toBe(
      'dns',
    );
  });

  it('reports refused (phase connect) for the encoded address of a plex.direct name where nothing listens', async () => {
    dns.setMode('rebind-empty');
    const closed = await rawServer(() => undefined);
    await closed.close();
    const error = failure(
      await probeIdentity(plexDirect('127-0-0-1', closed.port), { dnsServers: [dns.address], timeoutMs: 1000 }),
    );
    expect(error).toMatchObject({ phase: 'connect', code: 'ECONNREFUSED' });
  });

  it('rejects a URI that is not http(s) as a failed result', async () => {
    expect(failure(await probeIdentity('ftp://example.com/')).code).toBe('EINVAL');
    expect(failure(await probeIdentity('not a url')).code).toBe('EINVAL');
  });

  it('works over IPv6 (::1 literal)', async (context) => {
    let v6: LoopbackServer;
    try {
      v6 = await startLoopbackServer((_request, response) => void response.end(IDENTITY_XML), { host: '::1' });
    } catch {
      return context.skip('this machine has no ::1 (IPv6 loopback disabled)');
    }
    try {
      const value = okValue(await probeIdentity(v6.url, { timeoutMs: 1000 }));
      expect(value).toMatchObject({ connectedAddress: '::1', resolvedVia: 'literal', machineIdentifier: FIXTURE_ID });
    } finally {
      await v6.close();
    }
  });
});

describe('probeIdentity: garbage replies never throw out of the promise', () => {
  it('answers that are not HTTP (an SSH banner, binary junk) are a failed result, phase response, EBADRESPONSE', async () => {
    for (const junk of [
      Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'),
      Buffer.from([0, 255, 13, 10, 1, 2, 3, 200, 13, 10, 13, 10]),
    ]) {
      const peer = await rawServer((socket) => socket.end(junk));
      try {
        const result = await probeIdentity(`http://127.0.0.1:${peer.port}`, { timeoutMs: 1000 });
        expect(failure(result)).toMatchObject({ phase: 'response', code: 'EBADRESPONSE' });
      } finally {
        await peer.close();
      }
    }
  });

  it('an invalid header after a valid status line is EBADRESPONSE too', async () => {
    const peer = await rawServer((socket) =>
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: zz\r\n\r\n')),
    );
    try {
      expect(failure(await probeIdentity(`http://127.0.0.1:${peer.port}`, { timeoutMs: 1000 })).code).toBe(
        'EBADRESPONSE',
      );
    } finally {
      await peer.close();
    }
  });
});
