import { describe, expect, it } from 'vitest';
import { createIgdClient, describeUpnpError } from '../../../src/probes/upnp/client.js';
import { useFakeIgds } from '../../helpers/fake-igd.js';

const fake = useFakeIgds();

describe('createIgdClient against the fake IGD', () => {
  it('adds, reads back and deletes a mapping (the alternate-port experiment round trip)', async () => {
    const igd = await fake();
    const client = createIgdClient(igd, { timeoutMs: 2000 });
    const added = await client.addPortMapping({
      externalPort: 40001,
      internalPort: 32400,
      internalClient: '127.0.0.1',
      protocol: 'TCP',
      description: 'plex-diagnose test',
      leaseSeconds: 300,
    });
    expect(added).toMatchObject({
      status: 'ok',
      value: { externalPort: 40001, internalPort: 32400, leaseSeconds: 300 },
    });
    expect(igd.mappings()).toEqual([
      {
        remoteHost: '',
        externalPort: 40001,
        protocol: 'TCP',
        internalPort: 32400,
        internalClient: '127.0.0.1',
        enabled: true,
        description: 'plex-diagnose test',
        leaseSeconds: 300,
      },
    ]);
    const read = await client.getSpecificPortMappingEntry(40001, 'TCP');
    expect(read).toMatchObject({
      status: 'ok',
      value: {
        externalPort: 40001,
        protocol: 'TCP',
        internalClient: '127.0.0.1',
        internalPort: 32400,
        description: 'plex-diagnose test',
      },
    });
    const deleted = await client.deletePortMapping(40001, 'TCP');
    expect(deleted).toMatchObject({ status: 'ok', value: { externalPort: 40001, protocol: 'TCP' } });
    expect(igd.mappings()).toEqual([]);
    // Gone: the device answers 714 NoSuchEntryInArray, for the read and for a second delete.
    expect(await client.getSpecificPortMappingEntry(40001, 'TCP')).toMatchObject({
      status: 'refused',
      upnpError: { code: 714 },
    });
    expect(await client.deletePortMapping(40001, 'TCP')).toMatchObject({
      status: 'refused',
      upnpError: { code: 714, description: 'NoSuchEntryInArray' },
    });
  });

  it('is refused with 718 when secure_mode forbids a mapping to another host', async () => {
    const igd = await fake({ secureMode: true });
    const client = createIgdClient(igd);
    const result = await client.addPortMapping({
      externalPort: 32401,
      internalPort: 32401,
      internalClient: '192.168.1.99',
      protocol: 'TCP',
    });
    expect(result).toMatchObject({
      status: 'refused',
      upnpError: { code: 718, description: 'ConflictInMappingEntry' },
    });
    expect(igd.mappings()).toEqual([]);
    expect(
      await client.addPortMapping({
        externalPort: 32401,
        internalPort: 32401,
        internalClient: '127.0.0.1',
        protocol: 'TCP',
      }),
    ).toMatchObject({ status: 'ok' });
  });

  it('is refused with 718 when the external port already forwards to another host', async () => {
    const igd = await fake({
      mappings: [
        {
          remoteHost: '',
          externalPort: 32400,
          protocol: 'TCP',
          internalPort: 32400,
          internalClient: '192.168.1.50',
          enabled: true,
          description: 'old',
          leaseSeconds: 0,
        },
      ],
    });
    const result = await createIgdClient(igd).addPortMapping({
      externalPort: 32400,
      internalPort: 32400,
      internalClient: '127.0.0.1',
      protocol: 'TCP',
    });
    expect(result).toMatchObject({ status: 'refused', upnpError: { code: 718 } });
    if (result.status === 'refused') expect(describeUpnpError(result.upnpError)).toBe('718 ConflictInMappingEntry');
  });

  it('is refused with 725 by a permanent-leases-only device, which accepts lease 0', async () => {
    const igd = await fake({ permanentLeasesOnly: true });
    const client = createIgdClient(igd);
    expect(
      await client.addPortMapping({
        externalPort: 40002,
        internalPort: 32400,
        internalClient: '127.0.0.1',
        protocol: 'TCP',
        leaseSeconds: 600,
      }),
    ).toMatchObject({ status: 'refused', upnpError: { code: 725 } });
    expect(
      await client.addPortMapping({
        externalPort: 40002,
        internalPort: 32400,
        internalClient: '127.0.0.1',
        protocol: 'TCP',
        leaseSeconds: 0,
      }),
    ).toMatchObject({ status: 'ok' });
  });

  it('reads the external IP and status', async () => {
    const igd = await fake({
      connectionStatus: 'Disconnected',
      lastConnectionError: 'ERROR_NO_CARRIER',
      uptimeSeconds: 0,
    });
    const client = createIgdClient(igd);
    expect(await client.getExternalIpAddress()).toMatchObject({ status: 'ok', value: { externalIp: '84.1.1.2' } });
    expect(await client.getStatusInfo()).toMatchObject({
      status: 'ok',
      value: { connectionStatus: 'Disconnected', lastConnectionError: 'ERROR_NO_CARRIER', uptimeSeconds: 0 },
    });
  });

  it('is refused 401 when the SOAPAction names a service the device does not have', async () => {
    const igd = await fake();
    const client = createIgdClient({
      controlUrl: igd.controlUrl,
      serviceType: 'urn:schemas-upnp-org:service:WANPPPConnection:1',
    });
    expect(await client.getExternalIpAddress()).toMatchObject({ status: 'refused', upnpError: { code: 401 } });
  });

  it('validates its inputs before touching the network', async () => {
    const igd = await fake();
    const client = createIgdClient(igd);
    expect(
      await client.addPortMapping({
        externalPort: 0,
        internalPort: 32400,
        internalClient: '127.0.0.1',
        protocol: 'TCP',
      }),
    ).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
    expect(
      await client.addPortMapping({ externalPort: 1, internalPort: 32400, internalClient: 'my-nas', protocol: 'TCP' }),
    ).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
    expect(await client.getGenericPortMappingEntry(-1)).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
    expect(await client.deletePortMapping(70000, 'UDP')).toMatchObject({ status: 'failed', error: { code: 'EINVAL' } });
    expect(igd.requests.soap).toEqual([]);
  });

  it('fails (never throws) on a hang, within its deadline, and on abort', async () => {
    const igd = await fake({ faults: [{ path: '/ctl/IPConn', fault: { kind: 'hang' } }] });
    const client = createIgdClient(igd, { timeoutMs: 150 });
    const hung = await client.addPortMapping({
      externalPort: 40003,
      internalPort: 32400,
      internalClient: '127.0.0.1',
      protocol: 'TCP',
    });
    expect(hung).toMatchObject({ status: 'failed', error: { phase: 'timeout', code: 'ETIMEDOUT' } });
    expect(hung.durationMs).toBeLessThan(150 * 5);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const aborted = await client.getExternalIpAddress({ timeoutMs: 5000, signal: controller.signal });
    expect(aborted).toMatchObject({ status: 'failed', error: { code: 'EABORTED' } });
  });

  it('lists the table until 713 and reports an incomplete one', async () => {
    const igd = await fake({
      mappings: [
        {
          remoteHost: '',
          externalPort: 1,
          protocol: 'UDP',
          internalPort: 1,
          internalClient: '10.0.0.1',
          enabled: true,
          description: '',
          leaseSeconds: 0,
        },
      ],
    });
    const client = createIgdClient(igd);
    expect(await client.listPortMappings()).toMatchObject({
      complete: true,
      mappings: [{ index: 0, externalPort: 1, protocol: 'UDP' }],
    });
    igd.state.failActions.GetGenericPortMappingEntry = 501;
    expect(await client.listPortMappings()).toMatchObject({ complete: false, mappings: [], stoppedBy: { code: 501 } });
  });
});
