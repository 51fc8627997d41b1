import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { buildMSearch, parseSsdpReply } from '../../src/probes/upnp/ssdp.js';
import { startFakeIgd, type FakeIgd } from '../../src/testing/fake-igd/index.js';
import { udpExchange } from './udp-helper.js';
import { useFakeIgds } from '../helpers/fake-igd.js';

const fake = useFakeIgds();

async function post(igd: FakeIgd, action: string, body: string, serviceType = igd.serviceType) {
  const response = await request(igd.controlUrl, {
    method: 'POST',
    headers: { SOAPAction: `"${serviceType}#${action}"`, 'Content-Type': 'text/xml' },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

describe('startFakeIgd', () => {
  it("answers an M-SEARCH with miniupnpd's header set and its own LOCATION", async () => {
    const igd = await fake();
    const replies = await udpExchange(
      igd.ssdpPort,
      buildMSearch('urn:schemas-upnp-org:device:InternetGatewayDevice:1', igd.ssdpAddress),
    );
    expect(replies).toHaveLength(1);
    const reply = parseSsdpReply(replies[0]!);
    expect(reply?.location).toBe(igd.location);
    expect(Object.keys(reply?.headers ?? {})).toEqual([
      'cache-control',
      'st',
      'usn',
      'ext',
      'server',
      'location',
      'opt',
      '01-nls',
      'bootid.upnp.org',
      'configid.upnp.org',
    ]);
    expect(igd.requests.ssdp).toBe(1);
  });

  it('stays quiet for other search targets and for non-search datagrams', async () => {
    const igd = await fake();
    expect(
      await udpExchange(igd.ssdpPort, buildMSearch('urn:schemas-upnp-org:device:MediaRenderer:1', igd.ssdpAddress)),
    ).toEqual([]);
    expect(await udpExchange(igd.ssdpPort, 'NOTIFY * HTTP/1.1\r\n\r\n')).toEqual([]);
    expect(await udpExchange(igd.ssdpPort, buildMSearch('ssdp:all', igd.ssdpAddress))).toHaveLength(1);
  });

  it('serves the description as XML and 404s elsewhere', async () => {
    const igd = await fake();
    const description = await request(igd.location);
    expect(description.statusCode).toBe(200);
    expect(description.headers['content-type']).toMatch(/text\/xml/);
    expect(await description.body.text()).toContain('<controlURL>/ctl/IPConn</controlURL>');
    const missing = await request(`http://${igd.host}:${igd.httpPort}/nope`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('answers faults with HTTP 500 and a UPnPError body, and 401 for another service type', async () => {
    const igd = await fake();
    const fault = await post(
      igd,
      'GetGenericPortMappingEntry',
      '<s:Envelope xmlns:s="x"><s:Body><u:GetGenericPortMappingEntry xmlns:u="y"><NewPortMappingIndex>0</NewPortMappingIndex></u:GetGenericPortMappingEntry></s:Body></s:Envelope>',
    );
    expect(fault.status).toBe(500);
    expect(fault.text).toContain(
      '<errorCode>713</errorCode><errorDescription>SpecifiedArrayIndexInvalid</errorDescription>',
    );
    const wrong = await post(igd, 'GetExternalIPAddress', '', 'urn:schemas-upnp-org:service:WANPPPConnection:1');
    expect(wrong.text).toContain('<errorCode>401</errorCode>');
  });

  it('refuses a garbled AddPortMapping with 402 and leaves the table alone', async () => {
    const igd = await fake();
    const garbled = await post(igd, 'AddPortMapping', '<s:Envelope><s:Body><u:AddPortMapping><NewExternalPort>');
    expect(garbled.text).toContain('<errorCode>402</errorCode>');
    expect(igd.mappings()).toEqual([]);
  });

  it('records each SOAP call with the caller address, and state changes are live', async () => {
    const igd = await fake();
    igd.state.externalIp = '100.64.0.2';
    const answer = await post(igd, 'GetExternalIPAddress', '');
    expect(answer.text).toContain('<NewExternalIPAddress>100.64.0.2</NewExternalIPAddress>');
    expect(igd.requests.soap).toEqual([{ action: 'GetExternalIPAddress', remoteAddress: '127.0.0.1' }]);
  });

  it('close() frees both ports', async () => {
    const igd = await startFakeIgd({ externalIp: '84.1.1.2' });
    await igd.close();
    await expect(request(igd.location)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await udpExchange(igd.ssdpPort, buildMSearch('ssdp:all', igd.ssdpAddress), 50)).toEqual([]);
  });
});
