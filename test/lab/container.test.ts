/**
 * Lab self-tests, Docker-style bridge: the server runs in a "ctr" namespace at 172.17.0.2 behind the LAN host, which
 * publishes 32400 with a DNAT (like `docker run -p 32400:32400`); the server advertises the container address.
 */
import { expect, it } from 'vitest';
import { withLab } from './harness/index.js';
import { describeLab, forward, fromInternet, LAN_HOST, machineIdentifierOf, publishedRecord } from './support.js';

describeLab('lab: a Plex server in a Docker-style bridge', () => {
  it('is reachable at 192.168.1.10:32400 from the LAN and the internet, and publishes 172.17.0.2', async () => {
    await withLab(
      { name: 'container', container: { bridge: '172.17.0.0/16' }, router: { forwards: [forward(32400)] } },
      async (lab) => {
        expect(lab.plex).toMatchObject({ role: 'ctr', url: `http://${LAN_HOST}:32400` });
        expect(lab.addresses.serverIp).toBe('172.17.0.2');
        // From another LAN box (the router's LAN side) and from the Docker host itself.
        expect(machineIdentifierOf(await lab.http('rtr', { url: `http://${LAN_HOST}:32400/identity` }))).toBe(
          lab.plex!.machineIdentifier,
        );
        expect(machineIdentifierOf(await lab.http('lan', { url: `http://${LAN_HOST}:32400/identity` }))).toBe(
          lab.plex!.machineIdentifier,
        );
        // The advertised address is only reachable on the Docker host: the router has no route to 172.17/16.
        expect(
          (await lab.http('rtr', { url: 'http://172.17.0.2:32400/identity', timeoutMs: 500 })).error,
        ).toBeDefined();
        expect(machineIdentifierOf(await fromInternet(lab, 32400))).toBe(lab.plex!.machineIdentifier);
        const record = await publishedRecord(lab);
        expect(record).toMatchObject({
          publicAddress: '84.1.1.2',
          mappingState: 'mapped',
          request: { localAddresses: ['172.17.0.2'] },
        });
      },
    );
  });
});
