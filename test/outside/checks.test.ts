/**
 * What the reflector finds when it connects back, on loopback: open, refused, filtered (the black-hole listener),
 * TLS certificate names, and which Plex server answers /identity (a real fake PMS).
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckResponse } from '../../src/outside/protocol.js';
import { startReflector, type RunningReflector } from '../../src/outside/reflector/server.js';
import { startBlackHoleListener, type BlackHoleListener } from '../../src/testing/black-hole.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { hasOpenssl, makeTestCertificates, type TestCertificates } from '../probes/support/certs.js';
import { closedPort, SECRET, sendRaw, signed, startCountingListener, type CountingListener } from './helpers.js';

const HASH = '0123456789abcdef0123456789abcdef';

let reflector: RunningReflector;
let open: CountingListener;
let blackHole: BlackHoleListener;
let plex: FakePlexServer;
const lines: string[] = [];

beforeAll(async () => {
  reflector = await startReflector({
    secret: SECRET,
    limits: { burst: 100, refillMs: 1000 },
    deadlines: { tcpMs: 800, tlsMs: 2000, identityMs: 3000 },
    log: (line) => lines.push(line),
  });
  open = await startCountingListener('127.0.0.1');
  blackHole = await startBlackHoleListener();
  plex = await startFakePlexServer({ machineIdentifier: 'abc123machine' });
});
afterAll(async () => {
  await Promise.all([reflector?.close(), open?.close(), blackHole?.close(), plex?.close()]);
});

async function check(ports: unknown[]): Promise<CheckResponse> {
  const answer = await sendRaw(reflector.port, signed({ version: 1, ports }));
  expect(answer.status, answer.text).toBe(200);
  return CheckResponse.parse(answer.json);
}

describe('reflector connect-back', () => {
  it('reports open, refused and filtered, each on the requester address', async () => {
    const refused = await closedPort();
    const before = open.count();
    const response = await check([{ port: open.port }, { port: refused }, { port: blackHole.port }]);
    expect(response.source).toEqual({ address: '127.0.0.1', family: 4 });
    const states = Object.fromEntries(response.results.map((r) => [r.port, r.tcp.state]));
    expect(states).toEqual({ [open.port]: 'open', [refused]: 'refused', [blackHole.port]: 'filtered' });
    expect(open.count()).toBe(before + 1);
    expect(lines.at(-1)).toMatch(
      new RegExp(`127\\.0\\.0\\.1 check ${open.port}:open,${refused}:refused,${blackHole.port}:filtered`),
    );
  });

  it('reads the machineIdentifier of the Plex server that answers /identity', async () => {
    const response = await check([{ port: plex.port, identity: 'http' }]);
    const identity = response.results[0]!.identity;
    expect(identity).toMatchObject({
      status: 'ok',
      httpStatus: 200,
      bodyKind: 'plex-identity',
      machineIdentifier: 'abc123machine',
    });
  });

  it('says what answers when it is not Plex, and skips TLS and identity on a closed port', async () => {
    const refused = await closedPort();
    const response = await check([
      { port: open.port, identity: 'http' },
      { port: refused, tls: true, identity: 'http' },
    ]);
    expect(response.results[0]!.identity).toMatchObject({ status: 'failed' });
    expect(response.results[1]).toEqual({ port: refused, tcp: expect.objectContaining({ state: 'refused' }) });
  });
});

describe.skipIf(!hasOpenssl())('reflector TLS check', () => {
  let certs: TestCertificates;
  let tlsServer: Server;
  let tlsPort: number;
  beforeAll(async () => {
    certs = makeTestCertificates(HASH);
    tlsServer = createHttpsServer({ cert: certs.wildcard.cert, key: certs.wildcard.key }, (_req, res) => res.end('hi'));
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', () => resolve()));
    tlsPort = (tlsServer.address() as { port: number }).port;
  });
  afterAll(async () => {
    tlsServer?.closeAllConnections();
    await new Promise<void>((resolve) => (tlsServer ? tlsServer.close(() => resolve()) : resolve()));
    certs?.cleanup();
  });

  it('returns the certificate names, and whether they cover the SNI name sent', async () => {
    const servername = `127-0-0-1.${HASH}.plex.direct`;
    const response = await check([{ port: tlsPort, tls: true, servername }]);
    const tls = response.results[0]!.tls;
    expect(tls?.status).toBe('ok');
    if (tls?.status !== 'ok') return;
    expect(tls.servername).toBe(servername);
    expect(tls.authorized).toBe(false); // self-signed: not trusted by the reflector's roots
    expect(tls.certificate?.subjectAltNames).toEqual([`DNS:*.${HASH}.plex.direct`]);
    expect(tls.certificate?.coversHost).toBe(true);
  });

  it('reports a failed handshake on a port that does not speak TLS', async () => {
    const response = await check([{ port: plex.port, tls: true }]);
    expect(response.results[0]!.tls).toMatchObject({ status: 'failed' });
  });
});
