/**
 * The GDM collector knows the diagnosed server from the URL (no round trip) and stops listening once it answered;
 * the server's identity, when it has arrived, only vetoes a reply from that address naming another server. Real UDP
 * on loopback; a stopped window is seen in the repeat search that never went out of an hour-long window.
 */
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { gdmStopWhenFor, probeGdmCollector } from '../../../src/collect/builtin/gdm.js';
import type { CollectServices } from '../../../src/collect/services.js';
import type { CollectorContext } from '../../../src/collect/define-collector.js';
import { discoverGdm } from '../../../src/probes/gdm.js';
import { startFakeGdm, type FakeGdm } from '../../../src/testing/fake-gdm.js';

const ID = 'c3'.repeat(20);
const open: FakeGdm[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((gdm) => gdm.close()));
});

function context(baseUrl: string, gdmPort: number, identity?: string): CollectorContext<CollectServices> {
  const services = {
    server: { baseUrl },
    network: { gdmTargets: [`127.0.0.2:${gdmPort}`] },
    probes: { gdm: discoverGdm },
  } as unknown as CollectServices;
  return {
    signal: new AbortController().signal,
    timeoutMs: 3_600_000,
    services,
    get: ((id: string) =>
      id === 'server.identity' && identity ? { machineIdentifier: identity } : undefined) as never,
    observation: () => undefined,
    skip: (reason: string) => {
      throw new Error(reason);
    },
    prefetched: () => Promise.resolve(undefined),
  };
}

describe('gdmStopWhenFor', () => {
  const none = () => undefined;
  it('an IPv4 URL: that address and the URL port (80/443 by scheme when none)', () => {
    expect(gdmStopWhenFor('http://192.168.1.10:32400', none)).toMatchObject({
      addresses: ['192.168.1.10'],
      port: 32400,
    });
    expect(gdmStopWhenFor('https://10.0.0.5', none)).toMatchObject({ port: 443 });
  });
  it('a loopback URL: this host answers from its own addresses too', () => {
    const own = Object.values(networkInterfaces())
      .flat()
      .filter((e) => e?.family === 'IPv4')
      .map((e) => e.address);
    const stop = gdmStopWhenFor('http://localhost:32400', none)!;
    expect(stop.addresses).toEqual(expect.arrayContaining(own));
    expect(gdmStopWhenFor('http://127.0.0.1:32400', none)!.addresses).toContain('127.0.0.1');
  });
  it('a host name or an IPv6 address (GDM is IPv4): no early stop', () => {
    expect(gdmStopWhenFor('https://plex.example.net:32400', none)).toBeUndefined();
    expect(gdmStopWhenFor('http://[2a00:1450:4001:1::10]:32400', none)).toBeUndefined();
    expect(gdmStopWhenFor('not a url', none)).toBeUndefined();
  });
});

describe('probe.gdm collector', () => {
  it('stops once the server at the diagnosed URL answered (no repeat in an hour-long window)', async () => {
    const gdm = await startFakeGdm({ host: '127.0.0.2', servers: [{ machineIdentifier: ID, name: 'plex' }] });
    open.push(gdm);
    const value = await probeGdmCollector.collect(context('http://127.0.0.2:32400', gdm.port));
    expect(value.servers.map((s) => s.machineIdentifier)).toEqual([ID]);
    expect(gdm.searches).toBe(1);
  });

  it("with the server's identity known, a reply from its address naming another server does not stop it", async () => {
    const gdm = await startFakeGdm({ host: '127.0.0.2', servers: [{ machineIdentifier: ID, name: 'plex' }] });
    open.push(gdm);
    const ctx = { ...context('http://127.0.0.2:32400', gdm.port, 'd4'.repeat(20)), timeoutMs: 400 };
    const value = await probeGdmCollector.collect(ctx);
    expect(value.servers.map((s) => s.machineIdentifier)).toEqual([ID]);
    expect(gdm.searches).toBe(2);
  });
});
