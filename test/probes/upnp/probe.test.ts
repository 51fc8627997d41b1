import { describe, expect, it } from 'vitest';
import { probeUpnp } from '../../../src/probes/upnp/probe.js';
import { UpnpProbeValue } from '../../../src/probes/upnp/schema.js';
import type { FakeMapping } from '../../../src/testing/fake-igd/index.js';
import { useFakeIgds } from '../../helpers/fake-igd.js';

const fake = useFakeIgds();

const PLEX: FakeMapping = {
  remoteHost: '',
  externalPort: 32400,
  protocol: 'TCP',
  internalPort: 32400,
  internalClient: '192.168.1.10',
  enabled: true,
  description: 'Plex Media Server',
  leaseSeconds: 604798,
};
const OTHER: FakeMapping = {
  remoteHost: '',
  externalPort: 51413,
  protocol: 'UDP',
  internalPort: 51413,
  internalClient: '192.168.1.20',
  enabled: false,
  description: 'torrent',
  leaseSeconds: 0,
};

async function okValue(options: Parameters<typeof probeUpnp>[0]): Promise<UpnpProbeValue> {
  const result = await probeUpnp(options);
  if (result.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  // The value is plain JSON that survives a snapshot round trip and validates on load.
  expect(UpnpProbeValue.parse(JSON.parse(JSON.stringify(result.value)))).toEqual(result.value);
  return result.value;
}

describe('probeUpnp', () => {
  it('reads external IP, status and the whole table, which ends with 713', async () => {
    const igd = await fake({ mappings: [PLEX, OTHER] });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000 });
    expect(value).toMatchObject({
      externalIp: '84.1.1.2',
      externalIpClass: 'public',
      externalIpStatus: 'ok',
      status: { connectionStatus: 'Connected', lastConnectionError: 'ERROR_NONE', uptimeSeconds: 592 },
      mappingsComplete: true,
      errors: [],
      notes: [],
    });
    expect(value.mappings).toEqual([
      { index: 0, ...PLEX },
      { index: 1, ...OTHER },
    ]);
    // Index 2 was asked and answered 713: that is what made the table complete.
    expect(igd.requests.soap.filter((s) => s.action === 'GetGenericPortMappingEntry')).toHaveLength(3);
  });

  it('an empty table is complete at index 0 (miniupnpd answers 713 at once)', async () => {
    const igd = await fake();
    const value = await okValue({ location: igd.location, timeoutMs: 3000 });
    expect(value.mappings).toEqual([]);
    expect(value.mappingsComplete).toBe(true);
  });

  it('reports the empty external IP of a reserved WAN address as absent, with a note', async () => {
    const igd = await fake({ externalIp: '' });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000 });
    expect(value.externalIp).toBeUndefined();
    expect(value.externalIpClass).toBeUndefined();
    expect(value.externalIpStatus).toBe('empty');
    expect(value.notes.join(' ')).toMatch(/empty external IP/);
  });

  it.each([
    ['100.64.0.2', 'cgnat'],
    ['192.168.0.254', 'private'],
    ['10.0.0.2', 'private'],
  ])('flags a non-public external IP %s as %s', async (externalIp, externalIpClass) => {
    const igd = await fake({ externalIp });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000 });
    expect(value).toMatchObject({ externalIp, externalIpClass, externalIpStatus: 'ok' });
    expect(value.notes.join(' ')).toMatch(/not public/);
  });

  it('calls a non-IP external address invalid', async () => {
    const igd = await fake({ externalIp: '(null)' });
    const value = await okValue({ location: igd.location, timeoutMs: 3000 });
    expect(value.externalIpStatus).toBe('invalid');
    expect(value.externalIp).toBeUndefined();
  });

  it('records refused actions as errors and still returns what it could read', async () => {
    const igd = await fake({ mappings: [PLEX], failActions: { GetStatusInfo: 401, GetExternalIPAddress: 501 } });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000 });
    expect(value.errors).toEqual([
      { action: 'GetExternalIPAddress', code: 501, description: 'Action Failed' },
      { action: 'GetStatusInfo', code: 401, description: 'Invalid Action' },
    ]);
    expect(value.externalIpStatus).toBe('failed');
    expect(value.status).toBeUndefined();
    expect(value.mappings).toHaveLength(1);
  });

  it('marks the table incomplete when enumeration stops on another error (606)', async () => {
    const igd = await fake({ mappings: [PLEX], failActions: { GetGenericPortMappingEntry: 606 } });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000 });
    expect(value.mappingsComplete).toBe(false);
    expect(value.errors).toContainEqual({
      action: 'GetGenericPortMappingEntry',
      code: 606,
      description: 'Action not authorized',
    });
  });

  it('survives a truncated SOAP answer (error recorded, probe still ok)', async () => {
    const igd = await fake({ faults: [{ path: '/ctl/IPConn', fault: { kind: 'truncated' }, times: 1 }] });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000 });
    expect(value.externalIpStatus).toBe('failed');
    expect(value.errors[0]?.action).toBe('GetExternalIPAddress');
    expect(value.errors[0]?.code).toBeUndefined();
    expect(value.status?.connectionStatus).toBe('Connected');
  });

  it('stops at maxMappings and says the table is incomplete', async () => {
    const many = Array.from({ length: 5 }, (_, i): FakeMapping => ({ ...PLEX, externalPort: 40000 + i }));
    const igd = await fake({ mappings: many });
    const value = await okValue({ ssdpAddress: igd.ssdpAddress, timeoutMs: 3000, maxMappings: 3 });
    expect(value.mappings.map((m) => m.externalPort)).toEqual([40000, 40001, 40002]);
    expect(value.mappingsComplete).toBe(false);
    expect(value.notes.join(' ')).toMatch(/3-entry cap/);
  });

  it('keeps its deadline when the control URL hangs, returning what it has', async () => {
    const igd = await fake({ faults: [{ path: '/ctl/IPConn', fault: { kind: 'hang' } }] });
    const result = await probeUpnp({ ssdpAddress: igd.ssdpAddress, timeoutMs: 600, callTimeoutMs: 150 });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(result.value.externalIpStatus).toBe('failed');
    expect(result.value.mappingsComplete).toBe(false);
    expect(result.value.errors.map((e) => e.action)).toContain('GetExternalIPAddress');
    expect(result.durationMs).toBeLessThan(600 * 5);
  });

  it('fails ENOIGD when no IGD answers', async () => {
    const igd = await fake({ ssdpSilent: true });
    const result = await probeUpnp({ ssdpAddress: igd.ssdpAddress, timeoutMs: 1000, discoveryTimeoutMs: 200 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'timeout', code: 'ENOIGD' } });
  });
});
