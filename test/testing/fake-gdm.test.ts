import { afterEach, describe, expect, it } from 'vitest';
import { GDM_DOCSTRING_SERVER, startFakeGdm, type FakeGdm } from '../../src/testing/fake-gdm.js';
import { udpExchange } from './udp-helper.js';

const open: FakeGdm[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((gdm) => gdm.close()));
});

describe('startFakeGdm', () => {
  it("answers a GDM search with one HTTP/1.0 datagram per server, in the docstring's fields", async () => {
    const gdm = await startFakeGdm({ servers: [GDM_DOCSTRING_SERVER] });
    open.push(gdm);
    const replies = await udpExchange(gdm.port, 'M-SEARCH * HTTP/1.0\r\n\r\n');
    expect(replies.map((r) => r.toString())).toEqual([
      'HTTP/1.0 200 OK\r\nContent-Type: plex/media-server\r\nResource-Identifier: 646ab0aa8a01c543e94ba975f6fd6efadc36b7\r\nName: myfirstplexserver\r\n' +
        'Port: 32400\r\nUpdated-At: 1585769946\r\nVersion: 1.18.8.2527-740d4c206\r\nHost: 53f4b5b6023d41182fe88a99b0e714ba.plex.direct\r\n',
    ]);
    expect(gdm.searches).toBe(1);
  });

  it('ignores datagrams that are not searches', async () => {
    const gdm = await startFakeGdm({ servers: [GDM_DOCSTRING_SERVER] });
    open.push(gdm);
    expect(await udpExchange(gdm.port, 'hello')).toEqual([]);
    expect(gdm.searches).toBe(0);
  });
});
