import { afterAll, beforeAll, expect, it } from 'vitest';
import { probeIdentity } from '../../../src/probes/identity/probe.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';

let wrongClock: LoopbackServer;
beforeAll(async () => {
  wrongClock = await startLoopbackServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/xml', Date: 'Tue, 01 Jan 2030 00:00:00 GMT' });
    res.end('<MediaContainer size="0" machineIdentifier="abc" version="1.0"/>');
  });
});
afterAll(() => wrongClock.close());

it("records the server's clock from its Date header, so a skewed server clock is visible", async () => {
  const result = await probeIdentity(wrongClock.url, { timeoutMs: 2000 });
  expect(result.status).toBe('ok');
  if (result.status === 'ok') expect(result.value.serverDate).toBe('2030-01-01T00:00:00.000Z');
});
