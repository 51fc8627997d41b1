/**
 * The fakes' IPv6 behaviour (what the IPv6 lab stands on): a fake PMS with a global IPv6 address publishes it only
 * while EnableIPv6 is on, the fake plex.tv lists it as a remote IPv6 connection on the private port (IPv6 has no
 * NAT), and a runner hears the pref change before the re-publish.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServerClient } from '../../src/clients/server/client.js';
import { createPlexTvClient } from '../../src/clients/plextv/client.js';
import { startFakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv } from '../../src/testing/fake-plex-tv/index.js';

const TOKEN = 'ipv6-token-5b1c9e';
const V6 = '2a00:1450:4001:1::10';
const HASH = 'ad029f3d16c8ab3472a0a0a46f942497';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('fake PMS + fake plex.tv: IPv6', () => {
  it('publishes the global address only while EnableIPv6 is on, and tells the runner first', async () => {
    const plexTv = await startFakePlexTv({ tokens: [TOKEN], connectBackTimeoutMs: 300 });
    cleanups.push(() => plexTv.close());
    const heard: Record<string, string>[] = [];
    const fake = await startFakePlexServer({
      token: TOKEN,
      plexTv: { url: plexTv.url },
      prefs: { EnableIPv6: false },
      ipv6Addresses: [V6],
      certificateHash: HASH,
      onPrefsChange: (changes) => {
        // The re-publish has not happened yet: the runner can start listening before plex.tv lists the address.
        heard.push({ ...changes, listedYet: String(v6Connections().length > 0) });
      },
    });
    cleanups.push(() => fake.close());
    const v6Connections = () =>
      (plexTv.servers.get(fake.machineIdentifier)?.request.ipv6Addresses ?? []).filter((a) => a === V6);
    const resources = async () =>
      (await createPlexTvClient({ baseUrl: plexTv.url, token: TOKEN }).resources())
        .find((d) => d.clientIdentifier === fake.machineIdentifier)!
        .connections.filter((c) => c.IPv6);

    expect(v6Connections()).toEqual([]);
    expect(await resources()).toEqual([]);

    const server = createServerClient({ baseUrl: fake.url, token: TOKEN });
    await server.setPrefs({ EnableIPv6: true });
    expect(heard).toEqual([{ EnableIPv6: '1', listedYet: 'false' }]);
    expect(await resources()).toEqual([
      {
        protocol: 'https',
        address: V6,
        port: fake.port,
        uri: `https://2a00-1450-4001-1--10.${HASH}.plex.direct:${fake.port}`,
        local: false,
        relay: false,
        IPv6: true,
      },
    ]);

    await server.setPrefs({ EnableIPv6: false });
    expect(await resources()).toEqual([]);
  });

  it('the fake plex.tv refuses an IPv4 address passed off as an IPv6 one', async () => {
    const plexTv = await startFakePlexTv({ tokens: [TOKEN] });
    cleanups.push(() => plexTv.close());
    const fake = await startFakePlexServer({
      token: TOKEN,
      plexTv: { url: plexTv.url },
      prefs: { EnableIPv6: true },
      ipv6Addresses: ['192.0.2.10'],
    });
    cleanups.push(() => fake.close());
    expect(fake.state.lastPublish?.error).toMatch(/400|IPv6/);
    expect(plexTv.servers.get(fake.machineIdentifier)).toBeUndefined();
  });
});
