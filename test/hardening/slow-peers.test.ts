/**
 * Every HTTP peer we talk to, against the three ways a peer can try to hold us: headers that trickle forever
 * (slowloris), a body that never ends, and a 50 MB body. Each must end at its deadline or its size cap, with its typed
 * failure, and the 50 MB must not be read: the server side counts the bytes it got to send before we hung up.
 * Then redirects to another host: the clients must not carry the token there.
 *
 * test/server/client-faults.test.ts and test/probes cover some of these cells one by one; this is the full matrix.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BodyTooLargeError, TimeoutError } from '../../src/core/errors.js';
import { createPlexTvClient } from '../../src/clients/plextv/client.js';
import { probeIdentity } from '../../src/probes/identity/probe.js';
import { ProbeFailure, type ProbeError } from '../../src/probes/types.js';
import { fetchDeviceDescription } from '../../src/probes/upnp/description.js';
import { soapCall } from '../../src/probes/upnp/soap.js';
import { createServerClient } from '../../src/clients/server/client.js';
import { playFault, type FakeFault } from '../../src/testing/faults.js';
import { startLoopbackServer, wantsJson, type LoopbackServer } from '../../src/testing/http-server.js';

const TOKEN = 'slow-peer-token-6a1f03c9d2';
const DEADLINE_MS = 300;
/**
 * The deadline of the call under test. A huge body must end at the CAP, so its deadline is long: on a loaded machine
 * 8 MiB may not arrive within 300 ms, and the test would see the deadline instead of the cap.
 */
let deadlineMs = DEADLINE_MS;
const FIFTY_MB = 50 * 1024 * 1024;

/** What a call ended with: a typed error it threw, or the failure/value it returned. */
type Outcome = { threw: unknown } | { failure: ProbeError } | { value: unknown };

const PEERS: Record<string, (base: string) => Promise<Outcome>> = {
  'PMS client': async (base) => {
    try {
      return { value: await createServerClient({ baseUrl: base, token: TOKEN, timeoutMs: deadlineMs }).root() };
    } catch (threw) {
      return { threw };
    }
  },
  'plex.tv client': async (base) => {
    try {
      return { value: await createPlexTvClient({ baseUrl: base, token: TOKEN, timeoutMs: deadlineMs }).resources() };
    } catch (threw) {
      return { threw };
    }
  },
  'identity probe': async (base) => {
    const result = await probeIdentity(base, { timeoutMs: deadlineMs });
    return result.status === 'ok' ? { value: result.value } : { failure: result.error };
  },
  'UPnP description fetch': async (base) => {
    try {
      return { value: await fetchDeviceDescription(`${base}/rootDesc.xml`, { timeoutMs: deadlineMs }) };
    } catch (error) {
      if (error instanceof ProbeFailure) return { failure: error.detail };
      return { threw: error };
    }
  },
  'UPnP SOAP call': async (base) => {
    const result = await soapCall({
      controlUrl: `${base}/ctl/IPConn`,
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
      action: 'GetExternalIPAddress',
      args: [],
      timeoutMs: deadlineMs,
    });
    return result.kind === 'error' ? { failure: result.error } : { value: result };
  },
};

type Expectation = (outcome: Outcome) => void;
const timeoutError =
  (stage: 'headers' | 'body'): Expectation =>
  (outcome) => {
    expect(outcome).toHaveProperty('threw');
    const error = (outcome as { threw: unknown }).threw;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).stage).toBe(stage);
    expect(String((error as Error).message)).not.toContain(TOKEN);
  };
const probeFailure =
  (phase: string, code: string): Expectation =>
  (outcome) => {
    expect(outcome).toMatchObject({ failure: { phase, code } });
  };
const tooLarge: Expectation = (outcome) => {
  expect(outcome).toHaveProperty('threw');
  expect((outcome as { threw: unknown }).threw).toBeInstanceOf(BodyTooLargeError);
};

const SLOWLORIS: FakeFault = { kind: 'trickle-headers' };
const ENDLESS: FakeFault = { kind: 'endless' };
const HUGE: FakeFault = { kind: 'huge', bytes: FIFTY_MB };

const MATRIX: [peer: string, name: string, fault: FakeFault, expectation: Expectation][] = [
  ['PMS client', 'slowloris', SLOWLORIS, timeoutError('headers')],
  ['PMS client', 'endless body', ENDLESS, timeoutError('body')],
  ['PMS client', '50 MB body', HUGE, tooLarge],
  ['plex.tv client', 'slowloris', SLOWLORIS, timeoutError('headers')],
  ['plex.tv client', 'endless body', ENDLESS, timeoutError('body')],
  ['plex.tv client', '50 MB body', HUGE, tooLarge],
  ['identity probe', 'slowloris', SLOWLORIS, probeFailure('timeout', 'ETIMEDOUT')],
  ['identity probe', 'endless body', ENDLESS, probeFailure('timeout', 'ETIMEDOUT')],
  // The probe reads 64 KiB to tell what answered, then hangs up: an answer, cut at its cap.
  ['identity probe', '50 MB body', HUGE, (outcome) => expect(outcome).toMatchObject({ value: { status: 200 } })],
  ['UPnP description fetch', 'slowloris', SLOWLORIS, probeFailure('timeout', 'ETIMEDOUT')],
  ['UPnP description fetch', 'endless body', ENDLESS, probeFailure('timeout', 'ETIMEDOUT')],
  ['UPnP description fetch', '50 MB body', HUGE, probeFailure('response', 'EBODYTOOLARGE')],
  ['UPnP SOAP call', 'slowloris', SLOWLORIS, probeFailure('timeout', 'ETIMEDOUT')],
  ['UPnP SOAP call', 'endless body', ENDLESS, probeFailure('timeout', 'ETIMEDOUT')],
  ['UPnP SOAP call', '50 MB body', HUGE, probeFailure('response', 'EBODYTOOLARGE')],
];

describe('slow and oversized peers', () => {
  let server: LoopbackServer;
  let fault: FakeFault = SLOWLORIS;
  /** Bytes the server had written on each connection when it closed. */
  const written: number[] = [];
  const counted = new WeakSet<object>();
  beforeAll(async () => {
    server = await startLoopbackServer((request: IncomingMessage, response) => {
      const socket = request.socket;
      if (!counted.has(socket)) {
        counted.add(socket);
        socket.once('close', () => written.push(socket.bytesWritten));
      }
      playFault(fault, request, response, wantsJson(request) ? 'json' : 'xml');
    });
  });
  afterAll(() => server.close());

  it.each(MATRIX)('%s: %s ends at its deadline or cap', async (peer, _name, which, expectation) => {
    fault = which;
    deadlineMs = which.kind === 'huge' ? 30_000 : DEADLINE_MS;
    written.length = 0;
    const outcome = await PEERS[peer]!(server.url);
    expectation(outcome);
    // That it ends at all is the point: the test's own timeout bounds a hang (no wall-clock assertion: the machine is noisy).
    if (which.kind === 'huge') {
      // We hung up long before the 50 MB: the server could not push more than socket buffers' worth past our cap.
      await expect.poll(() => written.length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(Math.max(...written)).toBeLessThan(FIFTY_MB / 2);
    }
  });
});

describe('a redirect to another host never carries the token there', () => {
  let origin: LoopbackServer;
  let elsewhere: LoopbackServer;
  const seen: { host?: string; token?: string | string[]; url?: string }[] = [];
  beforeAll(async () => {
    // Another host, not only another port: 127.0.0.2 is loopback too on Linux.
    elsewhere = await startLoopbackServer(
      (request, response) => {
        seen.push({ host: request.headers.host, token: request.headers['x-plex-token'], url: request.url });
        response
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":1001,"message":"User could not be authenticated"}]}');
      },
      { host: '127.0.0.2' },
    );
    origin = await startLoopbackServer((request, response) => {
      response.writeHead(302, { location: `${elsewhere.url}${request.url}` }).end();
    });
  });
  afterAll(() => Promise.all([origin?.close(), elsewhere?.close()]));

  it.each(['PMS client', 'plex.tv client'])('%s', async (peer) => {
    seen.length = 0;
    const outcome = await PEERS[peer]!(origin.url);
    expect(seen).toHaveLength(1); // the redirect was followed...
    expect(seen[0]!.token).toBeUndefined(); // ...without the token header,
    expect(seen[0]!.url).not.toContain(TOKEN); // nor in the URL,
    expect(seen[0]!.host).toContain('127.0.0.2');
    // and the failure says why, without the token.
    expect(outcome).toHaveProperty('threw');
    const error = (outcome as { threw: Error }).threw;
    expect(error.message).toContain('redirected to another origin');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String(error.stack)).not.toContain(TOKEN);
  });
});
