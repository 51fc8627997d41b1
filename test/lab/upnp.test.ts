/**
 * Lab self-tests, UPnP: the real miniupnpd and the consumer-router IGD, found by SSDP multicast from the LAN, with
 * mappings that really open the port (nft DNAT), seen by upnpc and by the project's probe and client (built package).
 */
import { expect, it } from 'vitest';
import { withLab, type Lab } from './harness/index.js';
import { describeLab, fromInternet, LAN_HOST, machineIdentifierOf, refreshAndReadAccount } from './support.js';

interface ProbeOutput {
  status: string;
  value?: {
    externalIp?: string;
    externalIpStatus: string;
    location: string;
    mappings: { externalPort: number; internalClient: string; internalPort: number; description: string }[];
  };
  error?: { code: string };
}
interface MapOutput {
  discovery: { status: string };
  result?: { status: string; upnpError?: { code?: number } };
}

const probe = (lab: Lab): Promise<ProbeOutput> =>
  lab.tool<ProbeOutput>('lan', 'upnp-probe.mjs', [JSON.stringify({ timeoutMs: 4000, discoveryTimeoutMs: 1500 })]);
const map = (
  lab: Lab,
  externalPort: number,
  internalClient: string = LAN_HOST,
  action: 'add' | 'delete' = 'add',
): Promise<MapOutput> =>
  lab.tool<MapOutput>('lan', 'upnp-map.mjs', [
    JSON.stringify({ action, externalPort, internalPort: 32400, internalClient, timeoutMs: 1500 }),
  ]);

describeLab('lab: UPnP IGDs on the router', () => {
  it('miniupnpd: upnpc and probeUpnp find it by SSDP; a UPnP mapping makes the port reachable from the internet', async () => {
    await withLab({ name: 'miniupnpd', router: { upnp: 'miniupnpd' } }, async (lab) => {
      const listing = await lab.exec('lan', ['upnpc', '-l'], { timeoutMs: 10_000 });
      expect(listing.stdout).toContain('Found valid IGD : http://192.168.1.1:5000/ctl/IPConn');
      expect(listing.stdout).toContain('ExternalIPAddress = 84.1.1.2');

      const before = await probe(lab);
      expect(before).toMatchObject({
        status: 'ok',
        value: {
          externalIp: '84.1.1.2',
          externalIpStatus: 'ok',
          location: 'http://192.168.1.1:5000/rootDesc.xml',
          mappings: [],
        },
      });
      expect((await fromInternet(lab, 32400)).error?.code).toBe('ECONNREFUSED');

      expect((await map(lab, 32400)).result?.status).toBe('ok');
      expect(machineIdentifierOf(await fromInternet(lab, 32400))).toBe(lab.plex!.machineIdentifier);
      const after = await probe(lab);
      expect(after.value?.mappings).toEqual([
        expect.objectContaining({ externalPort: 32400, internalClient: LAN_HOST, internalPort: 32400 }),
      ]);
      expect(await refreshAndReadAccount(lab)).toMatchObject({ mappingState: 'mapped', publicAddress: '84.1.1.2' });

      // secure_mode: a mapping for another LAN host is refused with 718, as docs/reference/netlab.md measured.
      expect((await map(lab, 32401, '192.168.1.99')).result).toMatchObject({
        status: 'refused',
        upnpError: { code: 718 },
      });
      const natpmp = await lab.exec('lan', ['natpmpc'], { timeoutMs: 10_000 });
      expect(natpmp.stdout).toContain('Public IP address : 84.1.1.2');
    });
  });

  it('miniupnpd + PMS in automatic mode: the server maps its own port and plex.tv reaches it', async () => {
    await withLab(
      {
        name: 'miniupnpd-auto',
        router: { upnp: 'miniupnpd' },
        plex: { portMapping: 'automatic', automaticExternalPort: 32400 },
      },
      async (lab) => {
        expect(lab.plex!.startup).toMatchObject({ mappingState: 'mapped', publicAddress: '84.1.1.2' });
        expect((await probe(lab)).value?.mappings).toEqual([
          expect.objectContaining({ externalPort: 32400, internalClient: LAN_HOST, description: 'Plex Media Server' }),
        ]);
      },
    );
  });

  it('miniupnpd behind CGNAT answers an empty external IP (it refuses reserved WAN addresses)', async () => {
    await withLab(
      { name: 'miniupnpd-cgnat', wan: 'cgnat', router: { upnp: 'miniupnpd' }, plex: false, dns: 'none' },
      async (lab) => {
        expect(await probe(lab)).toMatchObject({ status: 'ok', value: { externalIpStatus: 'empty' } });
      },
    );
  });

  it('consumer IGD on a public WAN: its mappings are real DNAT rules, added and removed', async () => {
    await withLab({ name: 'consumer-igd', router: { upnp: 'consumer-igd' } }, async (lab) => {
      expect(await probe(lab)).toMatchObject({ status: 'ok', value: { externalIp: '84.1.1.2', mappings: [] } });
      expect((await map(lab, 40500)).result?.status).toBe('ok');
      expect(machineIdentifierOf(await fromInternet(lab, 40500))).toBe(lab.plex!.machineIdentifier);
      expect((await map(lab, 32401, '192.168.1.99')).result).toMatchObject({
        status: 'refused',
        upnpError: { code: 718 },
      });
      expect((await map(lab, 40500, LAN_HOST, 'delete')).result?.status).toBe('ok');
      expect((await fromInternet(lab, 40500)).error?.code).toBe('ECONNREFUSED');
    });
  });

  it('consumer IGD behind CGNAT reports 100.64.0.2; its mapping is applied on the router yet unreachable', async () => {
    await withLab(
      {
        name: 'consumer-igd-cgnat',
        wan: 'cgnat',
        router: { upnp: 'consumer-igd' },
        plex: { portMapping: 'automatic' },
      },
      async (lab) => {
        expect(await probe(lab)).toMatchObject({
          status: 'ok',
          value: { externalIp: '100.64.0.2', externalIpStatus: 'ok' },
        });
        // The PMS mapped 32400 over UPnP: the router holds the rule, the ISP's CGNAT does not forward.
        const rules = await lab.exec('rtr', ['nft', 'list', 'chain', 'inet', 'filter', 'prerouting_igd']);
        expect(rules.stdout).toContain(`dport 32400 dnat ip to ${LAN_HOST}:32400`);
        expect(lab.plex!.startup).toMatchObject({ mappingState: 'failed', publicAddress: '84.0.0.1' });
        expect((await fromInternet(lab, 32400)).error?.code).toBe('ECONNREFUSED');
      },
    );
  });

  it('consumer IGD behind a modem (double NAT) reports 10.0.0.2', async () => {
    await withLab(
      { name: 'consumer-igd-double-nat', wan: 'double-nat', router: { upnp: 'consumer-igd' }, plex: false },
      async (lab) => {
        expect(await probe(lab)).toMatchObject({
          status: 'ok',
          value: { externalIp: '10.0.0.2', externalIpStatus: 'ok' },
        });
      },
    );
  });
});
