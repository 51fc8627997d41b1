/**
 * The phone check end to end on loopback, with the repo's fake IGD and fake NAT-PMP gateway as the router: the mapping
 * exists exactly while the check waits and is gone after success, timeout and abort; the URL carries the router's (or
 * plex.tv's) public address. Crash recovery from the journal: phone-journal.test.ts.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { startFakeIgd } from '../../src/testing/fake-igd/index.js';
import { startFakeNatPmp } from '../../src/testing/fake-natpmp.js';
import { runOutsideCheck, type ClassifySource, type OutsideCheckOptions } from '../../src/outside/phone/index.js';
import { MAPPING_DESCRIPTION } from '../../src/outside/phone/journal.js';
import { useDirAndIgd } from './phone-support.js';

/** 127.0.0.1 plays the phone on mobile data. */
const loopbackIsOutside = (): ClassifySource => (address) => ({ address, addressClass: 'public', kind: 'outside' });

const setup = useDirAndIgd('pd-phone-');

function upnpOptions(extra: Partial<OutsideCheckOptions> = {}): OutsideCheckOptions {
  return {
    listenHost: '127.0.0.1',
    map: 'upnp',
    upnp: { location: setup.igd.location },
    journalDir: setup.dir,
    timeoutMs: 20_000,
    routerTimeoutMs: 2000,
    ...extra,
  };
}

/** Runs the check; once the URL is out, `visit(url, mappingsNow)` plays the phone. */
async function runWith(
  options: OutsideCheckOptions,
  visit: (url: string) => Promise<void>,
): Promise<Awaited<ReturnType<typeof runOutsideCheck>>> {
  let visiting: Promise<void> | undefined;
  const result = await runOutsideCheck({
    ...options,
    onReady: ({ url }) => {
      visiting = visit(url);
    },
  });
  await visiting;
  return result;
}

const localUrl = (url: string, port: number): string => url.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${port}`);

describe('runOutsideCheck with --map upnp (fake IGD)', () => {
  it('maps, prints the router-address URL, counts the outside visit, then removes the mapping and the journal', async () => {
    let seenUrl = '';
    let mappedWhileWaiting: unknown[] = [];
    let journalsWhileWaiting: string[] = [];
    const result = await runWith(upnpOptions({ classifier: loopbackIsOutside }), async (url) => {
      seenUrl = url;
      mappedWhileWaiting = setup.igd.mappings();
      journalsWhileWaiting = await readdir(setup.dir);
      const port = (mappedWhileWaiting[0] as { internalPort: number }).internalPort;
      const answer = await fetch(localUrl(url, port));
      expect(answer.status).toBe(200);
    });
    expect(seenUrl).toMatch(/^http:\/\/84\.1\.1\.2:\d{5}\/[A-Za-z0-9_-]{22}$/);
    expect(mappedWhileWaiting).toEqual([
      expect.objectContaining({
        externalPort: result.externalPort,
        internalPort: result.listenPort,
        internalClient: '127.0.0.1',
        protocol: 'TCP',
        description: MAPPING_DESCRIPTION,
      }),
    ]);
    expect(journalsWhileWaiting).toEqual([`outside-check-${process.pid}.json`]);
    expect(result).toMatchObject({
      reached: 'yes',
      outcome: 'reached',
      vantage: 'phone',
      publicAddress: { address: '84.1.1.2', from: 'upnp' },
      mapping: { method: 'upnp', made: true, removed: true },
      source: { address: '127.0.0.1', kind: 'outside' },
    });
    expect(result.mapping.leaseSeconds).toBe(20 + 120);
    expect(setup.igd.mappings()).toEqual([]);
    expect(await readdir(setup.dir)).toEqual([]);
  });

  it('on timeout the mapping is removed too; inside visits are listed as refused', async () => {
    const result = await runWith(upnpOptions({ timeoutMs: 1500 }), async (url) => {
      const port = setup.igd.mappings()[0]!.internalPort;
      expect((await fetch(localUrl(url, port))).status).toBe(403);
    });
    expect(result).toMatchObject({
      reached: 'timeout',
      mapping: { made: true, removed: true },
      counts: { refused: 1, notFound: 0 },
      refused: [{ address: '127.0.0.1', addressClass: 'loopback', kind: 'inside' }],
    });
    expect(result.source).toBeUndefined();
    expect(setup.igd.mappings()).toEqual([]);
  });

  it('on abort (Ctrl-C) the mapping is removed with its own deadline', async () => {
    const controller = new AbortController();
    const result = await runWith(upnpOptions({ signal: controller.signal }), async () => {
      expect(setup.igd.mappings()).toHaveLength(1);
      controller.abort(new Error('SIGINT'));
    });
    expect(result).toMatchObject({ reached: 'no', outcome: 'interrupted', mapping: { made: true, removed: true } });
    expect(setup.igd.mappings()).toEqual([]);
    expect(await readdir(setup.dir)).toEqual([]);
  });

  it("prefers plex.tv's view of the public address; a router WAN in CGNAT space is a warning", async () => {
    await setup.igd.close();
    setup.igd = await startFakeIgd({ externalIp: '100.64.0.2' });
    const controller = new AbortController();
    let seen = '';
    const result = await runWith(
      upnpOptions({ signal: controller.signal, lookupPublicIp: () => Promise.resolve('84.0.0.1\n') }),
      async (url) => {
        seen = url;
        controller.abort();
      },
    );
    expect(seen).toMatch(/^http:\/\/84\.0\.0\.1:/);
    expect(result.publicAddress).toEqual({ address: '84.0.0.1', from: 'plextv' });
    expect(result.warnings.join('\n')).toMatch(/100\.64\.0\.2 \(cgnat\).*likely not reachable/);
  });

  it("an IPv6 answer from plex.tv is not used for the IPv4 forward: the router's address is, with a warning", async () => {
    const controller = new AbortController();
    let seen = '';
    const result = await runWith(
      upnpOptions({ signal: controller.signal, lookupPublicIp: () => Promise.resolve('2a02:8070::1') }),
      async (url) => {
        seen = url;
        controller.abort();
      },
    );
    expect(seen).toMatch(/^http:\/\/84\.1\.1\.2:/);
    expect(result.publicAddress).toEqual({ address: '84.1.1.2', from: 'upnp' });
    expect(result.warnings.join('\n')).toMatch(/over IPv6 \(2a02:8070::1\)/);
  });

  it('a refused mapping (718 on a fixed port) is a not-run result with the reason, and no journal left', async () => {
    await setup.igd.close();
    setup.igd = await startFakeIgd({
      externalIp: '84.1.1.2',
      mappings: [
        {
          remoteHost: '',
          externalPort: 45000,
          protocol: 'TCP',
          internalPort: 22,
          internalClient: '127.0.0.9',
          enabled: true,
          description: 'someone else',
          leaseSeconds: 0,
        },
      ],
    });
    const result = await runOutsideCheck(upnpOptions({ externalPort: 45000 }));
    expect(result).toMatchObject({ reached: 'no', outcome: 'not-run', mapping: { made: false, removed: true } });
    expect(result.reason).toMatch(/refused the UPnP mapping \(718/);
    expect(setup.igd.mappings()).toHaveLength(1);
    expect(await readdir(setup.dir)).toEqual([]);
  });
});

describe('runOutsideCheck with --map natpmp (fake gateway)', () => {
  it('maps through NAT-PMP, learns the address from the gateway, and unmaps afterwards', async () => {
    const gateway = await startFakeNatPmp({ externalIp: '84.1.1.2' });
    try {
      const controller = new AbortController();
      let during: unknown[] = [];
      const result = await runWith(
        {
          listenHost: '127.0.0.1',
          map: 'natpmp',
          natpmpGateway: { address: '127.0.0.1', port: gateway.port },
          journalDir: setup.dir,
          timeoutMs: 20_000,
          routerTimeoutMs: 2000,
          signal: controller.signal,
        },
        async (url) => {
          during = gateway.mappings();
          expect(url).toMatch(/^http:\/\/84\.1\.1\.2:\d+\//);
          controller.abort();
        },
      );
      expect(during).toEqual([expect.objectContaining({ protocol: 'tcp', internalPort: result.listenPort })]);
      expect(result).toMatchObject({
        outcome: 'interrupted',
        publicAddress: { from: 'natpmp' },
        mapping: { method: 'natpmp', made: true, removed: true },
      });
      expect(gateway.mappings()).toEqual([]);
      expect(await readdir(setup.dir)).toEqual([]);
    } finally {
      await gateway.close();
    }
  });
});

describe('runOutsideCheck without a mapping', () => {
  it('listens on the forwarded port, needs a public address, and says why it could not run without one', async () => {
    const result = await runOutsideCheck({
      listenHost: '127.0.0.1',
      listenPort: 0,
      journalDir: setup.dir,
      timeoutMs: 5000,
    });
    expect(result).toMatchObject({ outcome: 'not-run', mapping: { method: 'none', made: false, removed: true } });
    expect(result.reason).toMatch(/pass --public-ip/);
  });

  it('a port in use is a not-run result that says what to do', async () => {
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as { port: number }).port;
      const result = await runOutsideCheck({
        listenHost: '127.0.0.1',
        listenPort: port,
        publicIp: '84.1.1.2',
        journalDir: setup.dir,
        timeoutMs: 5000,
      });
      expect(result).toMatchObject({ outcome: 'not-run', reached: 'no' });
      expect(result.reason).toMatch(/EADDRINUSE.*forward another port/);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
