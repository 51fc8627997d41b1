/**
 * The two fakes together, through the `/__fake/*` contract: the fake PMS publishes to the fake plex.tv, which
 * connects back (TCP + GET /identity) to the address and port it was told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServerClient } from '../../src/clients/server/client.js';
import { startFakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { startLoopbackServer } from '../../src/testing/http-server.js';

const TOKEN = 'together-token-4e8d0a';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('fake PMS + fake plex.tv', () => {
  it('a forward that reaches the server maps; one to a closed port fails as unreachable', async () => {
    const plexTv = await startFakePlexTv({ tokens: [TOKEN], connectBackTimeoutMs: 500 });
    cleanups.push(() => plexTv.close());
    const closed = await startLoopbackServer(() => undefined);
    await closed.close();
    const fake = await startFakePlexServer({
      token: TOKEN,
      plexTv: { url: plexTv.url },
      prefs: { ManualPortMappingPort: closed.port },
    });
    cleanups.push(() => fake.close());
    const client = createServerClient({ baseUrl: fake.url, token: TOKEN, format: 'xml' });

    expect(plexTv.servers.get(fake.machineIdentifier)).toMatchObject({
      publicAddress: '127.0.0.1',
      mappingState: 'failed',
    });
    expect(await client.account()).toMatchObject({ mappingState: 'failed', mappingError: 'unreachable' });

    await client.setPrefs({ ManualPortMappingPort: fake.port });
    expect(plexTv.servers.get(fake.machineIdentifier)).toMatchObject({
      mappingState: 'mapped',
      request: { port: fake.port, publicPort: fake.port },
    });
    expect(await client.account()).toMatchObject({
      mappingState: 'mapped',
      publicAddress: '127.0.0.1',
      publicPort: fake.port,
    });
    // plex.tv's connect-back asked /identity without a token.
    expect(fake.requests.filter((r) => r.path === '/identity').every((r) => !r.hadToken)).toBe(true);
    expect(plexTv.requests.find((r) => r.path === '/__fake/servers/publish')).toMatchObject({ tokenValid: true });
  });

  it('with a certificate hash, plex.tv lists the server under https plex.direct names; without one, plain http', async () => {
    const plexTv = await startFakePlexTv({ tokens: [TOKEN], connectBackTimeoutMs: 500 });
    cleanups.push(() => plexTv.close());
    const hash = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const withCert = await startFakePlexServer({
      token: TOKEN,
      plexTv: { url: plexTv.url },
      certificateHash: hash,
      account: { privateAddress: '192.168.1.10' },
    });
    cleanups.push(() => withCert.close());
    const without = await startFakePlexServer({
      token: TOKEN,
      plexTv: { url: plexTv.url },
      account: { privateAddress: '192.168.1.10' },
    });
    cleanups.push(() => without.close());

    expect(withCert.state.lastPublish?.body.certificateHash).toBe(hash);
    const listed = plexTv.servers.get(withCert.machineIdentifier)!.request;
    expect(listed.certificateHash).toBe(hash);
    const uris = (id: string) =>
      plexTv.devices
        .find((d) => d.clientIdentifier === id)
        ?.connections.filter((c) => c.local)
        .map((c) => c.uri);
    expect(uris(withCert.machineIdentifier)).toEqual([`https://192-168-1-10.${hash}.plex.direct:${withCert.port}`]);
    expect(without.state.lastPublish?.body).not.toHaveProperty('certificateHash');
    expect(uris(without.machineIdentifier)).toEqual([`http://192.168.1.10:${without.port}`]);
  });

  it('a token plex.tv does not accept is a publish error', async () => {
    const plexTv = await startFakePlexTv({ tokens: ['some-other-token'] });
    cleanups.push(() => plexTv.close());
    const fake = await startFakePlexServer({ token: TOKEN, plexTv: { url: plexTv.url } });
    cleanups.push(() => fake.close());
    expect(fake.state.account).toMatchObject({ mappingState: 'failed', mappingError: 'publisherror' });
    expect(plexTv.servers.size).toBe(0);
  });
});
