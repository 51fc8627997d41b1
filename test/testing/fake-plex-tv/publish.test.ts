import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlexTvClient } from '../../../src/clients/plextv/client.js';
import type { FakePlexTv } from '../../../src/testing/fake-plex-tv/index.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';
import { renderDocument } from '../../../src/testing/xml-writer.js';
import { HASH, MACHINE_ID, TOKEN, call, fakeWith, opened, publish, publishBody } from './helpers.js';

describe('testing endpoints: publish', () => {
  it('needs a valid token and a valid body', async () => {
    const fake = await fakeWith();
    expect((await publish(fake, publishBody(), null)).status).toBe(401);
    expect((await publish(fake, publishBody(), 'bad-token-000')).status).toBe(401);
    expect((await publish(fake, publishBody({ port: 'x' }))).status).toBe(400);
    expect((await publish(fake, 'not json')).status).toBe(400);
    expect(fake.devices).toHaveLength(0);
  });

  it('records the source address as the public address and lists the server with every connection kind', async () => {
    const fake = await fakeWith({ relayAddress: '127.0.0.9' });
    const response = await publish(fake);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ publicAddress: '127.0.0.1' });
    const [server] = await createPlexTvClient({ baseUrl: fake.url, token: TOKEN }).resources();
    expect(server).toMatchObject({
      clientIdentifier: MACHINE_ID,
      name: 'Lab PMS',
      provides: ['server'],
      owned: true,
      presence: true,
      relay: true,
      httpsRequired: false,
      publicAddress: '127.0.0.1',
      publicAddressMatches: true,
      accessToken: TOKEN,
    });
    expect(server!.connections.map((c) => [c.uri, c.local, c.relay, c.IPv6])).toEqual([
      [`https://192-168-1-10.${HASH}.plex.direct:32400`, true, false, false],
      [`https://fd00--10.${HASH}.plex.direct:32400`, true, false, true],
      [`https://127-0-0-1.${HASH}.plex.direct:40000`, false, false, false],
      ['https://plex.example.org:443', false, false, false],
      [`https://127-0-0-9.${HASH}.plex.direct:8443`, false, true, false],
    ]);
    expect(fake.servers.get(MACHINE_ID)).toMatchObject({
      publicAddress: '127.0.0.1',
      sourceAddress: '127.0.0.1',
      mappingState: 'unknown',
    });
  });

  it('without a certificate hash lists http://ip:port uris; remote access off lists no remote; re-publishing updates in place', async () => {
    const fake = await fakeWith();
    await publish(fake);
    const createdAt = fake.devices[0]!.createdAt;
    await publish(
      fake,
      publishBody({
        certificateHash: undefined,
        remoteAccessEnabled: false,
        relayEnabled: false,
        customConnections: [],
        localAddresses: ['10.1.2.3'],
      }),
    );
    expect(fake.devices).toHaveLength(1);
    expect(fake.devices[0]!.createdAt).toBe(createdAt);
    expect(fake.devices[0]!.connections).toEqual([
      {
        protocol: 'http',
        address: '10.1.2.3',
        port: 32400,
        uri: 'http://10.1.2.3:32400',
        local: true,
        relay: false,
        IPv6: false,
      },
    ]);
  });

  it('publicAddressOverride is what publish records and reports', async () => {
    const fake = await fakeWith({ publicAddressOverride: '203.0.113.50' });
    expect(JSON.parse((await publish(fake)).body.toString())).toEqual({ publicAddress: '203.0.113.50' });
    expect(fake.devices[0]!.publicAddress).toBe('203.0.113.50');
    expect(fake.servers.get(MACHINE_ID)?.sourceAddress).toBe('127.0.0.1');
  });

  it("api/servers/{id} returns plex.tv's record of the published server", async () => {
    const fake = await fakeWith();
    await publish(fake);
    const record = await createPlexTvClient({ baseUrl: fake.url, token: TOKEN }).server(MACHINE_ID);
    expect(record).toMatchObject({
      address: '127.0.0.1',
      port: 40000,
      localAddresses: ['192.168.1.10', 'fd00::10'],
      scheme: 'http',
    });
  });
});

describe('testing endpoints: reachability (connect-back)', () => {
  let pms: LoopbackServer;
  let identity = MACHINE_ID;
  beforeAll(async () => {
    pms = await startLoopbackServer((request, response) => {
      if (request.url?.startsWith('/identity')) {
        response.writeHead(200, { 'Content-Type': 'text/xml' });
        response.end(
          renderDocument({
            name: 'MediaContainer',
            attributes: { size: 0, claimed: true, machineIdentifier: identity, version: '1.41.3' },
          }),
        );
        return;
      }
      response.writeHead(404);
      response.end();
    });
  });
  afterAll(() => pms.close());

  const check = (fake: FakePlexTv, port: number, id = MACHINE_ID) =>
    call(fake, `/__fake/servers/${id}/reachability`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ port }),
      timeoutMs: 5000,
    });

  it('reachable when /identity on that port names the same machineIdentifier; the outcome is recorded', async () => {
    const fake = await fakeWith();
    await publish(fake);
    const response = await check(fake, pms.port);
    expect(JSON.parse(response.body.toString())).toEqual({ reachable: true, checked: `127.0.0.1:${pms.port}` });
    expect(fake.servers.get(MACHINE_ID)).toMatchObject({
      mappingState: 'mapped',
      reachability: { reachable: true, checked: `127.0.0.1:${pms.port}` },
    });
  });

  it('not reachable on a closed port (connect refused), recorded as failed', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const port = closed.port;
    await closed.close();
    const fake = await fakeWith();
    await publish(fake);
    const result = JSON.parse((await check(fake, port)).body.toString()) as {
      reachable: boolean;
      error: string;
      checked: string;
    };
    expect(result.reachable).toBe(false);
    expect(result.checked).toBe(`127.0.0.1:${port}`);
    expect(result.error).toMatch(/ECONNREFUSED|connect/);
    expect(fake.servers.get(MACHINE_ID)?.mappingState).toBe('failed');
  });

  it('not reachable when /identity names another server', async () => {
    const fake = await fakeWith();
    await publish(fake);
    identity = 'ffffffffffffffffffffffffffffffffffffffff';
    try {
      const result = JSON.parse((await check(fake, pms.port)).body.toString()) as { reachable: boolean; error: string };
      expect(result.reachable).toBe(false);
      expect(result.error).toContain('ffffffff');
    } finally {
      identity = MACHINE_ID;
    }
  });

  it('not reachable when the peer never answers, within connectBackTimeoutMs', async () => {
    const silent = await startLoopbackServer(() => undefined);
    opened.push(silent);
    const fake = await fakeWith({ connectBackTimeoutMs: 200 });
    await publish(fake);
    const result = JSON.parse((await check(fake, silent.port)).body.toString()) as {
      reachable: boolean;
      error: string;
    };
    expect(result.reachable).toBe(false);
    expect(result.error).toMatch(/within 200 ms/);
  });

  it('404 for a server never published, 400 for a bad port; an override is reported but the source address is dialled', async () => {
    const fake = await fakeWith({ publicAddressOverride: '203.0.113.50' });
    expect((await check(fake, pms.port, 'never-published')).status).toBe(404);
    await publish(fake);
    expect((await check(fake, 0)).status).toBe(400);
    const result = JSON.parse((await check(fake, pms.port)).body.toString()) as Record<string, unknown>;
    expect(result).toEqual({ reachable: true, checked: `203.0.113.50:${pms.port}`, dialled: `127.0.0.1:${pms.port}` });
    const record = await call(fake, `/__fake/servers/${MACHINE_ID}`);
    expect(JSON.parse(record.body.toString())).toMatchObject({ mappingState: 'mapped', publicAddress: '203.0.113.50' });
  });
});
