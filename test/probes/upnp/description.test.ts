import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchDeviceDescription,
  parseDeviceDescription,
  pickWanService,
} from '../../../src/probes/upnp/description.js';
import { ProbeFailure } from '../../../src/probes/types.js';
import { renderDescription } from '../../../src/testing/fake-igd/xml.js';
import { startLoopbackServer, type LoopbackServer } from '../../../src/testing/http-server.js';

const LOCATION = 'http://192.168.1.1:5000/rootDesc.xml';

function failureOf(fn: () => unknown): ProbeFailure {
  try {
    fn();
  } catch (error) {
    if (error instanceof ProbeFailure) return error;
    throw error;
  }
  throw new Error('expected a ProbeFailure');
}

describe('parseDeviceDescription', () => {
  it('walks miniupnpd nested devices down to WANIPConnection:2 and resolves /ctl/IPConn against LOCATION', () => {
    const description = parseDeviceDescription(Buffer.from(renderDescription('miniupnpd', 'http://ignored')), LOCATION);
    expect(description.friendlyName).toBe('Debian router');
    expect(description.deviceType).toBe('urn:schemas-upnp-org:device:InternetGatewayDevice:2');
    expect(description.services.map((s) => s.serviceType)).toEqual([
      'urn:schemas-upnp-org:service:Layer3Forwarding:1',
      'urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1',
      'urn:schemas-upnp-org:service:WANIPConnection:2',
    ]);
    expect(pickWanService(description)).toEqual({
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:2',
      controlUrl: 'http://192.168.1.1:5000/ctl/IPConn',
      deviceType: 'urn:schemas-upnp-org:device:WANConnectionDevice:2',
    });
  });

  it('resolves a relative controlURL against URLBase (IGD:1 routers)', () => {
    const description = parseDeviceDescription(
      Buffer.from(renderDescription('igd1', 'http://10.0.0.138:49152')),
      'http://10.0.0.138:80/igd.xml',
    );
    expect(pickWanService(description)?.controlUrl).toBe('http://10.0.0.138:49152/upnp/control/WANIPConn1');
  });

  it('finds WANPPPConnection:1 on a PPPoE router', () => {
    const description = parseDeviceDescription(Buffer.from(renderDescription('ppp', '')), LOCATION);
    expect(pickWanService(description)?.serviceType).toBe('urn:schemas-upnp-org:service:WANPPPConnection:1');
  });

  it('prefers WANIPConnection:2 over :1 and PPP when a device lists several', () => {
    const xml = `<?xml version="1.0"?><root><device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
      <serviceList>
        <service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>/ppp</controlURL></service>
        <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ip1</controlURL></service>
        <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL>/ip2</controlURL></service>
      </serviceList></device></root>`;
    const description = parseDeviceDescription(Buffer.from(xml), LOCATION);
    expect(description.wanServices).toHaveLength(3);
    expect(pickWanService(description)?.controlUrl).toBe('http://192.168.1.1:5000/ip2');
  });

  it('reports a device with no WAN service as having none', () => {
    const description = parseDeviceDescription(Buffer.from(renderDescription('no-wan-service', '')), LOCATION);
    expect(description.wanServices).toEqual([]);
    expect(pickWanService(description)).toBeUndefined();
  });

  it('skips services with no controlURL or a non-http one, and tolerates an empty serviceList', () => {
    const xml = `<root><device><deviceType>x</deviceType><serviceList/><deviceList><device><serviceList>
      <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType></service>
      <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>javascript:alert(1)</controlURL></service>
      </serviceList></device></deviceList></device></root>`;
    expect(parseDeviceDescription(Buffer.from(xml), LOCATION).services).toEqual([]);
  });

  it('fails EBADRESPONSE for HTML, truncated XML and documents that are not descriptions', () => {
    const html = failureOf(() =>
      parseDeviceDescription(
        Buffer.from('<!DOCTYPE html><html><head><title>Router login</title></head><body></body></html>'),
        LOCATION,
      ),
    );
    expect(html.detail).toMatchObject({ phase: 'response', code: 'EBADRESPONSE' });
    expect(html.detail.message).toMatch(/HTML/);
    const truncated = failureOf(() =>
      parseDeviceDescription(Buffer.from(renderDescription('miniupnpd', '').slice(0, 700)), LOCATION),
    );
    expect(truncated.detail).toMatchObject({ phase: 'response', code: 'EBADRESPONSE' });
    expect(truncated.detail.message).toMatch(/malformed XML/);
    const other = failureOf(() => parseDeviceDescription(Buffer.from('<MediaContainer size="0"/>'), LOCATION));
    expect(other.detail.message).toMatch(/not a UPnP device description/);
    const empty = failureOf(() => parseDeviceDescription(Buffer.alloc(0), LOCATION));
    expect(empty.detail.code).toBe('EBADRESPONSE');
  });
});

describe('fetchDeviceDescription (real loopback server)', () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startLoopbackServer((request, response) => {
      if (request.url === '/ok.xml') {
        response.writeHead(200, { 'Content-Type': 'text/xml' });
        response.end(renderDescription('miniupnpd', ''));
      } else if (request.url === '/huge.xml') {
        response.writeHead(200, { 'Content-Type': 'text/xml' });
        response.end(`<root>${' '.repeat(300 * 1024)}</root>`);
      } else if (request.url === '/hang.xml') {
        // Never answers: the deadline must end it.
      } else {
        response.writeHead(404);
        response.end();
      }
    });
  });
  afterAll(() => server.close());

  it('fetches and parses', async () => {
    const description = await fetchDeviceDescription(`${server.url}/ok.xml`, { timeoutMs: 2000 });
    expect(pickWanService(description)?.controlUrl).toBe(`${server.url}/ctl/IPConn`);
  });

  it('fails EHTTPSTATUS on 404, EBODYTOOLARGE past 256 KiB, ETIMEDOUT on a hang', async () => {
    await expect(fetchDeviceDescription(`${server.url}/missing.xml`, { timeoutMs: 2000 })).rejects.toMatchObject({
      detail: { phase: 'response', code: 'EHTTPSTATUS' },
    });
    await expect(fetchDeviceDescription(`${server.url}/huge.xml`, { timeoutMs: 2000 })).rejects.toMatchObject({
      detail: { code: 'EBODYTOOLARGE' },
    });
    await expect(fetchDeviceDescription(`${server.url}/hang.xml`, { timeoutMs: 150 })).rejects.toMatchObject({
      detail: { phase: 'timeout', code: 'ETIMEDOUT' },
    });
  });

  it('fails in the connect phase when nothing listens', async () => {
    const closed = await startLoopbackServer(() => undefined);
    const url = `${closed.url}/rootDesc.xml`;
    await closed.close();
    await expect(fetchDeviceDescription(url, { timeoutMs: 2000 })).rejects.toMatchObject({
      detail: { phase: 'connect', code: 'ECONNREFUSED' },
    });
  });
});
