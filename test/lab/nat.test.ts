/**
 * Lab self-tests, NAT: the networks really forward, block and translate as docs/reference/netlab.md measured, and the
 * fake PMS and fake plex.tv see each other through that NAT (publish address, connect-back).
 */
import { expect, it } from 'vitest';
import { LAB_ADDRESSES, withLab } from './harness/index.js';
import {
  describeLab,
  forward,
  fromInternet,
  LAN_HOST,
  machineIdentifierOf,
  publishedRecord,
  readAccount,
  refreshAndReadAccount,
} from './support.js';

describeLab('lab: NAT, port forwards and ISP filtering', () => {
  it('healthy forward: the internet reaches the PMS through 84.1.1.2:32400, plex.tv sees 84.1.1.2 and marks it mapped', async () => {
    await withLab({ name: 'healthy', router: { forwards: [forward(32400)] } }, async (lab) => {
      expect(lab.addresses).toMatchObject({ publicIp: '84.1.1.2', routerWanIp: '84.1.1.2', serverIp: LAN_HOST });

      const remote = await fromInternet(lab, 32400);
      expect(remote.status).toBe(200);
      expect(machineIdentifierOf(remote)).toBe(lab.plex!.machineIdentifier);

      const ip = await lab.http('lan', { url: `${lab.plexTvUrl}/:/ip` });
      expect(ip.body?.trim()).toBe('84.1.1.2');

      // The first publish happened at start; a refresh repeats the publish and the connect-back.
      expect(lab.plex!.startup).toMatchObject({ mappingState: 'mapped', publicAddress: '84.1.1.2' });
      const account = await refreshAndReadAccount(lab);
      expect(account).toMatchObject({
        mappingState: 'mapped',
        publicAddress: '84.1.1.2',
        publicPort: 32400,
        privateAddress: LAN_HOST,
      });
      expect(await publishedRecord(lab)).toMatchObject({ publicAddress: '84.1.1.2', mappingState: 'mapped' });
    });
  });

  it('no forward: the public port is refused and the mapping fails as unreachable', async () => {
    await withLab({ name: 'no-forward' }, async (lab) => {
      expect((await fromInternet(lab, 32400)).error?.code).toBe('ECONNREFUSED');
      expect(await readAccount(lab)).toMatchObject({ mappingState: 'failed', mappingError: 'unreachable' });
    });
  });

  it('ISP drops 32400: the request times out, the mapping fails; a forward on another port works', async () => {
    const scenario = {
      name: 'isp-drop',
      router: { forwards: [forward(32400), forward(40123)] },
      isp: { block: [{ port: 32400, action: 'drop' as const }] },
    };
    await withLab(scenario, async (lab) => {
      const blocked = await fromInternet(lab, 32400, { timeoutMs: 500 });
      expect(blocked.error?.code).toBe('ETIMEDOUT');
      const account = await refreshAndReadAccount(lab);
      expect(account).toMatchObject({ mappingState: 'failed', mappingError: 'unreachable' });
      // plex.tv's connect-back met the same silence (a timeout, not a refusal).
      expect(String(account.mappingErrorMessage)).toMatch(/no response within|timed? ?out/i);

      const alternate = await fromInternet(lab, 40123);
      expect(machineIdentifierOf(alternate)).toBe(lab.plex!.machineIdentifier);
      // Switch the server's manual port to the alternate one: the connect-back now succeeds.
      const set = await lab.http('lan', {
        url: `${lab.plex!.url}/:/prefs?ManualPortMappingPort=40123`,
        method: 'PUT',
        headers: { 'X-Plex-Token': lab.token },
        timeoutMs: 8000,
      });
      expect(set.status).toBe(200);
      expect(await readAccount(lab)).toMatchObject({ mappingState: 'mapped', publicPort: 40123 });
    });
  });

  it('ISP rejects 32400: connection refused instead of a timeout', async () => {
    const scenario = {
      name: 'isp-reject',
      router: { forwards: [forward(32400)] },
      isp: { block: [{ port: 32400, action: 'reject' as const }] },
      plex: false as const,
      dns: 'none' as const,
    };
    await withLab(scenario, async (lab) => {
      expect((await fromInternet(lab, 32400)).error?.code).toBe('ECONNREFUSED');
    });
  });

  it('double NAT: plex.tv sees the modem 84.1.1.2, the inner forward alone is not enough, a modem forward fixes it', async () => {
    await withLab({ name: 'double-nat', wan: 'double-nat', router: { forwards: [forward(32400)] } }, async (lab) => {
      expect(lab.addresses).toMatchObject({ publicIp: '84.1.1.2', routerWanIp: '10.0.0.2' });
      expect((await lab.http('lan', { url: `${lab.plexTvUrl}/:/ip` })).body?.trim()).toBe('84.1.1.2');
      expect((await fromInternet(lab, 32400)).error?.code).toBe('ECONNREFUSED');
      expect(await readAccount(lab)).toMatchObject({ mappingState: 'failed', mappingError: 'unreachable' });
      // The inner router's forward works from the modem's side.
      const inner = await lab.http('modem', { url: 'http://10.0.0.2:32400/identity' });
      expect(machineIdentifierOf(inner)).toBe(lab.plex!.machineIdentifier);
    });
    const fixed = {
      name: 'double-nat-fixed',
      wan: 'double-nat' as const,
      router: { forwards: [forward(32400)] },
      modem: { forwards: [forward(32400, 32400, '10.0.0.2')] },
    };
    await withLab(fixed, async (lab) => {
      expect(machineIdentifierOf(await fromInternet(lab, 32400))).toBe(lab.plex!.machineIdentifier);
      expect(lab.plex!.startup).toMatchObject({ mappingState: 'mapped', publicAddress: '84.1.1.2' });
    });
  });

  it('CGNAT: the router WAN is 100.64.0.2, plex.tv sees the ISP 84.0.0.1, nothing reaches the home', async () => {
    await withLab({ name: 'cgnat', wan: 'cgnat', router: { forwards: [forward(32400)] } }, async (lab) => {
      expect(lab.addresses).toMatchObject({ publicIp: LAB_ADDRESSES.ispPublic, routerWanIp: '100.64.0.2' });
      expect((await lab.http('lan', { url: `${lab.plexTvUrl}/:/ip` })).body?.trim()).toBe('84.0.0.1');
      expect((await fromInternet(lab, 32400)).error?.code).toBe('ECONNREFUSED');
      expect((await fromInternet(lab, 32400, { address: '100.64.0.2' })).error?.code).toBe('ENETUNREACH');
      expect(lab.plex!.startup).toMatchObject({ mappingState: 'failed', publicAddress: '84.0.0.1' });
    });
  });
});
