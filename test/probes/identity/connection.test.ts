/**
 * The identity probes share one connector (per CA list) and each gets its own undici Client (src/probes/identity/
 * connection.ts). What must not change: each probe reports ITS connection (address, TLS verdict, certificate) even
 * when probes run at once through the shared connector, two probes of one name with different addresses each dial
 * their own, and no socket outlives its probe, also when the probe is aborted. Everything is gated by events (both
 * requests arrived, the socket closed), never by time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { dialTableSize } from '../../../src/probes/identity/connection.js';
import { probeIdentity, type IdentityProbeValue } from '../../../src/probes/identity/probe.js';
import type { ProbeResult } from '../../../src/probes/types.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';
import { hasOpenssl, makeTestCertificates } from '../support/certs.js';

const HASH = '0123456789abcdef0123456789abcdef';
const OTHER_HASH = 'ffffffffffffffffffffffffffffffff';
const identity = (id: string): string => `<MediaContainer machineIdentifier="${id}" version="1.41.0"/>`;

/** Answers only once `count` requests have arrived (across servers), so the probes are provably in flight together. */
function barrier(count: number): { wait(): Promise<void> } {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    wait() {
      if (++arrived === count) open();
      return opened;
    },
  };
}

const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => unknown,
  options: Parameters<typeof startLoopbackServer>[1] = {},
): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler, options);
  servers.push(server);
  return server;
}

function ok(result: ProbeResult<IdentityProbeValue>): IdentityProbeValue {
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

describe('identity probes sharing a connector', () => {
  it('two probes of one name at once, dialled at different addresses, each reach and report their own', async () => {
    const gate = barrier(2);
    const answer = (id: string) => async (_request: IncomingMessage, response: ServerResponse) => {
      await gate.wait();
      response.writeHead(200, { 'Content-Type': 'text/xml' }).end(identity(id));
    };
    const one = await serve(answer('aaaa'), { host: '127.0.0.1' });
    const two = await serve(answer('bbbb'), { host: '127.0.0.2' });
    const [a, b] = await Promise.all([
      probeIdentity(`http://plex.test:${one.port}`, { resolveTo: '127.0.0.1', timeoutMs: 5000 }),
      probeIdentity(`http://plex.test:${two.port}`, { resolveTo: '127.0.0.2', timeoutMs: 5000 }),
    ]);
    expect(ok(a)).toMatchObject({
      machineIdentifier: 'aaaa',
      connectedAddress: '127.0.0.1',
      resolvedVia: 'resolve-to',
    });
    expect(ok(b)).toMatchObject({
      machineIdentifier: 'bbbb',
      connectedAddress: '127.0.0.2',
      resolvedVia: 'resolve-to',
    });
    // Both probes gave the name back: a later probe of it dials whatever it is given.
    expect(dialTableSize()).toBe(0);
  });

  it('closes the socket when the probe ends, and when it is aborted while the server has not answered', async () => {
    const closed: Promise<void>[] = [];
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = await serve((request, response) => {
      closed.push(new Promise((resolve) => request.socket.once('close', () => resolve())));
      if (request.headers['x-never'] === undefined && closed.length === 1) {
        response.writeHead(200, { 'Content-Type': 'text/xml' }).end(identity('cccc'));
        return;
      }
      arrived(); // the second request: never answered
    });
    expect(ok(await probeIdentity(server.url, { timeoutMs: 5000 })).machineIdentifier).toBe('cccc');
    await closed[0]; // resolves only if our side closed the connection (the server keeps it alive)

    const controller = new AbortController();
    const pending = probeIdentity(server.url, { timeoutMs: 5000, signal: controller.signal });
    await requestArrived;
    controller.abort();
    const result = await pending;
    expect(result.status).toBe('failed');
    if (result.status === 'failed') expect(result.error.code).toBe('EABORTED');
    await closed[1];
    expect(dialTableSize()).toBe(0);
  });
});

describe.skipIf(!hasOpenssl())('identity probes sharing a connector, over TLS', () => {
  it('an honest server and one that lies about its certificate, probed at once: each reports its own verdict', async () => {
    const certs = makeTestCertificates(HASH);
    try {
      const gate = barrier(2);
      const seen: (string | false | undefined)[] = [];
      const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
        seen.push((request.socket as Socket & { servername?: string | false }).servername);
        await gate.wait();
        response.writeHead(200, { 'Content-Type': 'text/xml' }).end(identity('dddd'));
      };
      const honest = await serve(handler, { tls: certs.wildcard });
      // Serves the certificate of HASH's names to whoever asks for OTHER_HASH's.
      const liar = await serve(handler, { tls: certs.wildcard });
      const options = { resolveTo: '127.0.0.1', caCertificates: [certs.wildcard.cert], timeoutMs: 5000 };
      const [good, lying] = await Promise.all([
        probeIdentity(`https://127-0-0-1.${HASH}.plex.direct:${honest.port}`, options),
        probeIdentity(`https://127-0-0-1.${OTHER_HASH}.plex.direct:${liar.port}`, options),
      ]);
      expect(ok(good).tls).toMatchObject({
        authorized: true,
        servername: `127-0-0-1.${HASH}.plex.direct`,
        certificate: { coversHost: true },
      });
      const lied = ok(lying).tls;
      expect(lied).toMatchObject({
        authorized: false,
        servername: `127-0-0-1.${OTHER_HASH}.plex.direct`,
        certificate: { coversHost: false },
      });
      expect(lied?.authorizationError).toMatch(/ALTNAME|Hostname/i);
      expect(seen.sort()).toEqual([`127-0-0-1.${HASH}.plex.direct`, `127-0-0-1.${OTHER_HASH}.plex.direct`].sort());
    } finally {
      certs.cleanup();
    }
  });
});
