/**
 * Publishing and reachability of the fake PMS, against a tiny stand-in for the fake plex.tv that implements the two
 * testing-only `/__fake/` endpoints of the contract (the real fake plex.tv implements the same contract).
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerClient } from '../../src/clients/server/client.js';
import {
  startFakePlexServer,
  type FakePlexServer,
  type FakePlexServerOptions,
  type FakePublishBody,
} from '../../src/testing/fake-plex-server/index.js';
import { readRequestBody, startLoopbackServer, type LoopbackServer } from '../../src/testing/http-server.js';

const TOKEN = 'publish-test-token-93b1c4';

interface StandIn {
  server: LoopbackServer;
  publishes: { body: FakePublishBody; token: string | undefined }[];
  checks: { machineIdentifier: string; port: number; reachable: boolean }[];
  /** Answer publishes with this status instead of 200. */
  publishStatus: number;
}

/** Tries a real TCP connection, as plex.tv connecting back would. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function startStandIn(): Promise<StandIn> {
  const recorded = new Map<string, string>();
  const standIn: Omit<StandIn, 'server'> = { publishes: [], checks: [], publishStatus: 200 };
  const server = await startLoopbackServer(async (request, response) => {
    const body = JSON.parse((await readRequestBody(request)) || '{}') as Record<string, unknown>;
    const reply = (status: number, data: unknown): void => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(data));
    };
    if (request.method === 'POST' && request.url === '/__fake/servers/publish') {
      const token = request.headers['x-plex-token'];
      standIn.publishes.push({
        body: body as unknown as FakePublishBody,
        token: typeof token === 'string' ? token : undefined,
      });
      if (standIn.publishStatus !== 200)
        return reply(standIn.publishStatus, { errors: [{ code: 1, message: 'nope' }] });
      // The source address plex.tv saw.
      const publicAddress = (request.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
      recorded.set(String(body.machineIdentifier), publicAddress);
      return reply(200, { publicAddress });
    }
    const match = /^\/__fake\/servers\/([^/]+)\/reachability$/.exec(request.url ?? '');
    if (request.method === 'POST' && match) {
      const machineIdentifier = decodeURIComponent(match[1]!);
      const address = recorded.get(machineIdentifier);
      const port = Number(body.port);
      const reachable = address !== undefined && (await canConnect(address, port));
      standIn.checks.push({ machineIdentifier, port, reachable });
      return reply(200, {
        reachable,
        checked: `${address}:${port}`,
        ...(reachable ? {} : { error: 'connection refused' }),
      });
    }
    reply(404, { errors: [] });
  });
  return Object.assign(standIn, { server });
}

/** A port nothing listens on (a server opened and closed again). */
async function closedPort(): Promise<number> {
  const server = await startLoopbackServer(() => undefined);
  await server.close();
  return server.port;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(
  options: (standIn: StandIn) => FakePlexServerOptions,
): Promise<{ standIn: StandIn; fake: FakePlexServer }> {
  const standIn = await startStandIn();
  cleanups.push(() => standIn.server.close());
  const fake = await startFakePlexServer({ token: TOKEN, ...options(standIn) });
  cleanups.push(() => fake.close());
  return { standIn, fake };
}

/** Manual port mapping pointed at the fake's own port: plex.tv's connect-back reaches it. */
const reachableManual = (standIn: StandIn): FakePlexServerOptions => ({ plexTv: { url: standIn.server.url } });

describe('publishing on start', () => {
  it('publishes with the token, is checked on its public port, and reports mapped like a real server', async () => {
    const { standIn, fake } = await setup(reachableManual);
    // Point the manual forward at the fake itself, so plex.tv's connect-back reaches it.
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN, format: 'xml' });
    await client.setPrefs({ ManualPortMappingPort: fake.port });

    const last = standIn.publishes.at(-1)!;
    expect(last.token).toBe(TOKEN);
    expect(last.body).toEqual({
      machineIdentifier: fake.machineIdentifier,
      name: 'fake-plex',
      productVersion: fake.state.version,
      platform: 'Linux',
      platformVersion: '6.1.0',
      localAddresses: ['127.0.0.1'],
      port: fake.port,
      publicPort: fake.port,
      httpsRequired: false,
      relayEnabled: true,
      customConnections: [],
      remoteAccessEnabled: true,
    });
    expect(standIn.checks.at(-1)).toEqual({
      machineIdentifier: fake.machineIdentifier,
      port: fake.port,
      reachable: true,
    });
    expect(await client.account()).toMatchObject({
      mappingState: 'mapped',
      publicAddress: '127.0.0.1',
      publicPort: fake.port,
      privateAddress: '127.0.0.1',
      privatePort: fake.port,
    });
    expect((await client.account()).mappingError).toBeUndefined();
    expect((await client.root()).myPlexMappingState).toBe('mapped');
  });

  it('the first publish and check happen during start, before any request', async () => {
    const port = await closedPort();
    const { standIn, fake } = await setup((s) => ({
      plexTv: { url: s.server.url },
      prefs: { ManualPortMappingPort: port },
    }));
    expect(standIn.publishes).toHaveLength(1);
    expect(standIn.checks).toEqual([{ machineIdentifier: fake.machineIdentifier, port, reachable: false }]);
    expect(fake.requests).toHaveLength(0);
    expect(fake.state.account).toMatchObject({ mappingState: 'failed', mappingError: 'unreachable' });
  });
});

describe('changing prefs re-runs the mapping', () => {
  it('a forward to a closed port → failed/unreachable with addresses cleared; back → mapped', async () => {
    const { standIn, fake } = await setup(reachableManual);
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN });
    const port = await closedPort();
    await client.setPrefs({ ManualPortMappingPort: port });
    expect(standIn.checks.at(-1)).toMatchObject({ port, reachable: false });
    expect(await client.account()).toMatchObject({
      mappingState: 'failed',
      mappingError: 'unreachable',
      mappingErrorMessage: 'connection refused',
      publicPort: 0,
      privatePort: 0,
    });
    expect((await client.account()).publicAddress).toBeUndefined();
    expect(await client.root()).toMatchObject({ myPlexMappingState: 'failed', myPlexMappingError: 'unreachable' });

    await client.setPrefs({ ManualPortMappingPort: fake.port });
    expect((await client.account()).mappingState).toBe('mapped');
  });

  it('remote access off → mapping unknown, no error, published with remoteAccessEnabled false', async () => {
    const { standIn, fake } = await setup(reachableManual);
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN });
    const checks = standIn.checks.length;
    await client.setPrefs({ PublishServerOnPlexOnlineKey: false });
    expect(standIn.publishes.at(-1)!.body.remoteAccessEnabled).toBe(false);
    expect(standIn.checks.length).toBe(checks);
    const account = await client.account();
    expect(account.mappingState).toBe('unknown');
    expect(account.mappingError).toBeUndefined();
  });

  it('prefs that do not touch the mapping do not re-publish', async () => {
    const { standIn, fake } = await setup(reachableManual);
    const publishes = standIn.publishes.length;
    await createServerClient({ baseUrl: fake.url, token: TOKEN }).setPrefs({
      GdmEnabled: false,
      ManualPortMappingMode: true,
    });
    expect(standIn.publishes.length).toBe(publishes);
  });

  it('published fields follow the prefs (custom URLs, secure connections required, relay off)', async () => {
    const { standIn, fake } = await setup(reachableManual);
    await createServerClient({ baseUrl: fake.url, token: TOKEN }).setPrefs({
      customConnections: 'https://plex.example.com:443',
      secureConnections: 0,
      RelayEnabled: false,
    });
    expect(standIn.publishes.at(-1)!.body).toMatchObject({
      customConnections: ['https://plex.example.com:443'],
      httpsRequired: true,
      relayEnabled: false,
    });
  });
});

describe('automatic mapping (UPnP / NAT-PMP stand-in)', () => {
  it('maps, records LastAutomaticMappedPort, and is checked on the mapped port', async () => {
    const asked: number[] = [];
    const { standIn, fake } = await setup((s) => ({
      plexTv: { url: s.server.url },
      prefs: { ManualPortMappingMode: false },
      automaticMapping: async (privatePort) => {
        asked.push(privatePort);
        return { externalPort: privatePort };
      },
    }));
    expect(asked).toEqual([fake.port]);
    expect(fake.state.prefs.LastAutomaticMappedPort).toBe(String(fake.port));
    expect(standIn.publishes.at(-1)!.body.publicPort).toBe(fake.port);
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN });
    expect((await client.prefs()).network.LastAutomaticMappedPort).toBe(fake.port);
    expect(await client.account()).toMatchObject({ mappingState: 'mapped', publicPort: fake.port });
  });

  it('no mapping → failed without a mapping error, no reachability check, last port kept', async () => {
    const { standIn, fake } = await setup((s) => ({
      plexTv: { url: s.server.url },
      prefs: { ManualPortMappingMode: false, LastAutomaticMappedPort: 24507 },
      automaticMapping: async () => undefined,
    }));
    expect(standIn.checks).toHaveLength(0);
    expect(standIn.publishes[0]!.body).not.toHaveProperty('publicPort');
    expect(fake.state.account).toMatchObject({ mappingState: 'failed', mappingError: '' });
    expect(fake.state.prefs.LastAutomaticMappedPort).toBe('24507');
  });
});

describe('the reachability option', () => {
  it('overrides plex.tv for the check; refreshReachability() and publish() re-run it', async () => {
    let open = false;
    const ports: number[] = [];
    const { standIn, fake } = await setup((s) => ({
      plexTv: { url: s.server.url },
      reachability: async (port) => {
        ports.push(port);
        return open ? { reachable: true } : { reachable: false, error: 'timed out' };
      },
    }));
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN });
    expect(standIn.checks).toHaveLength(0);
    expect(ports).toEqual([32400]);
    expect(await client.account()).toMatchObject({
      mappingState: 'failed',
      mappingError: 'unreachable',
      mappingErrorMessage: 'timed out',
    });

    open = true;
    await client.refreshReachability();
    expect(await client.account()).toMatchObject({
      mappingState: 'mapped',
      publicAddress: '127.0.0.1',
      publicPort: 32400,
    });

    open = false;
    await fake.publish();
    expect(fake.state.account.mappingState).toBe('failed');
    expect(ports).toEqual([32400, 32400, 32400]);
  });

  it('without plex.tv: no publishing, the configured public address is reported', async () => {
    const fake = await startFakePlexServer({
      account: { publicAddress: '198.51.100.20' },
      reachability: async () => ({ reachable: true }),
    });
    cleanups.push(() => fake.close());
    expect(fake.state.lastPublish).toBeUndefined();
    expect(fake.state.account).toMatchObject({
      mappingState: 'mapped',
      publicAddress: '198.51.100.20',
      publicPort: 32400,
    });
  });
});

describe('failures talking to plex.tv', () => {
  it('a publish rejected by plex.tv → failed/publisherror', async () => {
    const standIn = await startStandIn();
    cleanups.push(() => standIn.server.close());
    standIn.publishStatus = 500;
    const fake = await startFakePlexServer({ token: TOKEN, plexTv: { url: standIn.server.url } });
    cleanups.push(() => fake.close());
    expect(fake.state.account).toMatchObject({ mappingState: 'failed', mappingError: 'publisherror' });
    expect(fake.state.account.mappingErrorMessage).not.toContain(TOKEN);
    expect(standIn.checks).toHaveLength(0);
  });

  it('plex.tv not answering at all → publisherror within the outgoing deadline, start does not hang', async () => {
    const silent = await startLoopbackServer(() => undefined);
    cleanups.push(() => silent.close());
    const fake = await startFakePlexServer({ token: TOKEN, plexTv: { url: silent.url }, plexTvTimeoutMs: 200 });
    cleanups.push(() => fake.close());
    expect(fake.state.account).toMatchObject({ mappingState: 'failed', mappingError: 'publisherror' });
    expect(fake.state.lastPublish?.error).toMatch(/within 200 ms/);
  });

  it('an unclaimed or signed-out server does not publish', async () => {
    for (const options of [{ claimed: false }, { signedIn: false }]) {
      const { standIn, fake } = await setup((s) => ({ plexTv: { url: s.server.url }, ...options }));
      expect(standIn.publishes).toHaveLength(0);
      expect(fake.state.account.mappingState).toBe('unknown');
    }
  });
});

describe('without plexTv and reachability', () => {
  it('the account is static: prefs changes and refreshReachability leave it alone', async () => {
    const fake = await startFakePlexServer({
      token: TOKEN,
      account: { mappingState: 'failed', mappingError: 'doublenat' },
    });
    cleanups.push(() => fake.close());
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN });
    await client.setPrefs({ PublishServerOnPlexOnlineKey: false, ManualPortMappingPort: 1234 });
    await client.refreshReachability();
    expect(await client.account()).toMatchObject({ mappingState: 'failed', mappingError: 'doublenat' });
  });
});
