import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { discoverIgd } from '../../../src/probes/upnp/discover.js';
import { IgdDiscovery } from '../../../src/probes/upnp/schema.js';
import { useFakeIgds } from '../../helpers/fake-igd.js';

const fake = useFakeIgds();

/** A UDP port with a socket bound to it that never answers (no ICMP either): "nothing answers". */
async function silentPort(): Promise<{ port: number; close(): void }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => socket.close() };
}

describe('discoverIgd against the fake IGD (unicast SSDP on loopback)', () => {
  it('finds the miniupnpd-like IGD and its WANIPConnection:2 control URL', async () => {
    const igd = await fake();
    const result = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 2000 });
    expect(result.status).toBe('ok');
    if (result.status !== 'ok') return;
    expect(IgdDiscovery.parse(result.value)).toEqual(result.value);
    expect(result.value).toMatchObject({
      location: igd.location,
      ssdpFrom: '127.0.0.1',
      server: 'Debian/6.18.44-fc-v782 UPnP/1.1 MiniUPnPd/2.3.1',
      friendlyName: 'Debian router',
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
      controlUrl: igd.controlUrl,
    });
    // One M-SEARCH per search target (5), and the description fetched once although several STs matched.
    expect(igd.requests.ssdp).toBeGreaterThanOrEqual(5);
    expect(igd.requests.description).toBe(1);
  });

  it('stops as soon as a usable IGD is found instead of waiting out the deadline', async () => {
    const igd = await fake();
    const result = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 10_000 });
    expect(result.status).toBe('ok');
    // Generous bound: with a 10 s deadline, anything under half of it proves the early stop.
    expect(result.durationMs).toBeLessThan(5000);
  });

  it('ignores junk datagrams and foreign replies before the real one', async () => {
    const igd = await fake({
      ssdpJunk: [
        'not http at all',
        Buffer.from([0xff, 0x00, 0x13]),
        'HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n\r\n',
        'HTTP/1.1 200 OK\r\nLOCATION: ftp://x/\r\n\r\n',
      ],
    });
    const result = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 2000 });
    expect(result).toMatchObject({ status: 'ok', value: { controlUrl: igd.controlUrl } });
  });

  it('supports IGD:1 with URLBase and a PPPoE router', async () => {
    const igd1 = await fake({ deviceXmlFlavour: 'igd1' });
    const ppp = await fake({ deviceXmlFlavour: 'ppp' });
    const first = await discoverIgd({ ssdpAddress: igd1.ssdpAddress, timeoutMs: 2000 });
    expect(first).toMatchObject({
      status: 'ok',
      value: { serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1', controlUrl: igd1.controlUrl },
    });
    const second = await discoverIgd({ ssdpAddress: ppp.ssdpAddress, timeoutMs: 2000 });
    expect(second).toMatchObject({
      status: 'ok',
      value: { serviceType: 'urn:schemas-upnp-org:service:WANPPPConnection:1', controlUrl: ppp.controlUrl },
    });
  });

  it('fails ENOIGD in the timeout phase when nothing answers, at its deadline', async () => {
    const silent = await silentPort();
    try {
      const result = await discoverIgd({ ssdpAddress: `127.0.0.1:${silent.port}`, timeoutMs: 300 });
      expect(result.status).toBe('failed');
      if (result.status !== 'failed') return;
      expect(result.error).toMatchObject({ phase: 'timeout', code: 'ENOIGD' });
      expect(result.error.message).toMatch(/no UPnP IGD answered/);
      expect(result.durationMs).toBeLessThan(300 * 5);
    } finally {
      silent.close();
    }
  });

  it('fails ENOIGD when the fake is silent (it counted the searches)', async () => {
    const igd = await fake({ ssdpSilent: true });
    const result = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'timeout', code: 'ENOIGD' } });
    expect(igd.requests.ssdp).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ['404', { kind: 'status', status: 404 } as const, /HTTP 404/],
    ['HTML', { kind: 'html' } as const, /HTML/],
    ['truncated XML', { kind: 'truncated' } as const, /device description/],
    ['malformed XML', { kind: 'malformed' } as const, /malformed XML|not a UPnP/],
  ])('fails ENOIGD (phase response) when the only description is %s', async (_name, fault, message) => {
    const igd = await fake({ faults: [{ path: '/rootDesc.xml', fault }] });
    const result = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 400 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'response', code: 'ENOIGD' } });
    if (result.status === 'failed') expect(result.error.message).toMatch(message);
  });

  it('reports a description with no WAN service (ENOWANSERVICE with location, ENOIGD via SSDP)', async () => {
    const igd = await fake({ deviceXmlFlavour: 'no-wan-service' });
    const direct = await discoverIgd({ location: igd.location, timeoutMs: 1000 });
    expect(direct).toMatchObject({ status: 'failed', error: { phase: 'response', code: 'ENOWANSERVICE' } });
    const searched = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 300 });
    expect(searched).toMatchObject({ status: 'failed', error: { code: 'ENOIGD' } });
    if (searched.status === 'failed') expect(searched.error.message).toMatch(/lists no WANIPConnection/);
  });

  it('uses `location` without any SSDP, and reports its HTTP failures directly', async () => {
    const igd = await fake({ faults: [{ path: '/rootDesc.xml', fault: { kind: 'status', status: 404 }, times: 1 }] });
    const failed = await discoverIgd({ location: igd.location, timeoutMs: 1000 });
    expect(failed).toMatchObject({ status: 'failed', error: { phase: 'response', code: 'EHTTPSTATUS' } });
    const ok = await discoverIgd({ location: igd.location, timeoutMs: 1000 });
    expect(ok).toMatchObject({ status: 'ok', value: { controlUrl: igd.controlUrl, ssdpReplies: 0 } });
    expect(igd.requests.ssdp).toBe(0);
  });

  it('returns within its deadline when the description server hangs', async () => {
    const igd = await fake({ faults: [{ path: '/rootDesc.xml', fault: { kind: 'hang' } }] });
    const result = await discoverIgd({ ssdpAddress: igd.ssdpAddress, timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'failed', error: { code: 'ENOIGD' } });
    if (result.status === 'failed') expect(result.durationMs).toBeLessThan(300 * 5);
  });

  it('rejects a bad ssdpAddress as a failed result, not an exception', async () => {
    const result = await discoverIgd({ ssdpAddress: 'nonsense:port', timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'failed', error: { phase: 'request', code: 'EINVAL' } });
  });

  it('fails EABORTED when the caller aborts', async () => {
    const silent = await silentPort();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const result = await discoverIgd({
        ssdpAddress: `127.0.0.1:${silent.port}`,
        timeoutMs: 5000,
        signal: controller.signal,
      });
      expect(result).toMatchObject({ status: 'failed', error: { code: 'EABORTED' } });
    } finally {
      silent.close();
    }
  });
});
