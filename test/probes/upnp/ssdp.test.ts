import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildMSearch, isUsableReply, parseSsdpReply } from '../../../src/probes/upnp/ssdp.js';
import { parseHostPort } from '../../../src/probes/udp.js';
import { renderSsdpReply } from '../../../src/testing/fake-igd/xml.js';

// The reply miniupnpd 2.3.1 sent in the namespace lab (docs/reference/netlab.md "Scenario 5"), headers verbatim.
const MINIUPNPD_REPLY = [
  'HTTP/1.1 200 OK',
  'CACHE-CONTROL: max-age=120',
  'ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'USN: uuid:c0dcda0d-6ee0-4a96-a745-7b2c6d971ab0::urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'EXT:',
  'SERVER: Debian/6.18.44-fc-v782 UPnP/1.1 MiniUPnPd/2.3.1',
  'LOCATION: http://192.168.1.1:5000/rootDesc.xml',
  'OPT: "http://schemas.upnp.org/upnp/1/0/"; ns=01',
  '01-NLS: 1795601327',
  'BOOTID.UPNP.ORG: 1795601327',
  'CONFIGID.UPNP.ORG: 1337',
  '',
  '',
].join('\r\n');

describe('parseSsdpReply', () => {
  it('reads the miniupnpd reply headers', () => {
    const reply = parseSsdpReply(Buffer.from(MINIUPNPD_REPLY));
    expect(reply).toMatchObject({
      statusCode: 200,
      location: 'http://192.168.1.1:5000/rootDesc.xml',
      st: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      server: 'Debian/6.18.44-fc-v782 UPnP/1.1 MiniUPnPd/2.3.1',
    });
    expect(reply?.headers['bootid.upnp.org']).toBe('1795601327');
    expect(reply?.headers.ext).toBe('');
    expect(reply && isUsableReply(reply)).toBe(true);
  });

  it('matches header names case-insensitively and accepts bare LF line ends', () => {
    const reply = parseSsdpReply('HTTP/1.1 200 OK\nLocation: http://10.0.0.1:49152/desc.xml\nst: upnp:rootdevice\n\n');
    expect(reply?.location).toBe('http://10.0.0.1:49152/desc.xml');
    expect(reply?.st).toBe('upnp:rootdevice');
  });

  it('ignores what is not an HTTP reply: junk, NOTIFY, an echoed M-SEARCH', () => {
    expect(parseSsdpReply('hello')).toBeUndefined();
    expect(parseSsdpReply(Buffer.from([0, 1, 2, 255]))).toBeUndefined();
    expect(parseSsdpReply('NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\n\r\n')).toBeUndefined();
    expect(parseSsdpReply(buildMSearch('ssdp:all', '239.255.255.250:1900'))).toBeUndefined();
  });

  it('keeps a non-200 or LOCATION-less reply but marks it unusable', () => {
    const notFound = parseSsdpReply('HTTP/1.1 404 Not Found\r\n\r\n');
    expect(notFound?.statusCode).toBe(404);
    expect(notFound && isUsableReply(notFound)).toBe(false);
    const noLocation = parseSsdpReply('HTTP/1.1 200 OK\r\nST: x\r\n\r\n');
    expect(noLocation && isUsableReply(noLocation)).toBe(false);
    const ftp = parseSsdpReply('HTTP/1.1 200 OK\r\nLOCATION: ftp://1.2.3.4/x\r\n\r\n');
    expect(ftp && isUsableReply(ftp)).toBe(false);
    const garbageUrl = parseSsdpReply('HTTP/1.1 200 OK\r\nLOCATION: http://[::1\r\n\r\n');
    expect(garbageUrl && isUsableReply(garbageUrl)).toBe(false);
  });

  it('round-trips the fake IGD reply', () => {
    const reply = parseSsdpReply(
      renderSsdpReply('urn:schemas-upnp-org:service:WANIPConnection:2', 'http://127.0.0.1:1/rootDesc.xml'),
    );
    expect(reply?.st).toBe('urn:schemas-upnp-org:service:WANIPConnection:2');
  });

  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 2048 }), fc.string({ maxLength: 2048 })), (input) => {
        const data = typeof input === 'string' ? input : Buffer.from(input);
        const reply = parseSsdpReply(data);
        if (reply !== undefined) {
          expect(Number.isInteger(reply.statusCode)).toBe(true);
          isUsableReply(reply);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on HTTP-looking input with arbitrary header lines (property)', () => {
    const line = fc.string({ maxLength: 80 }).filter((s) => !/[\r\n]/.test(s));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), (lines) => {
        const reply = parseSsdpReply(['HTTP/1.1 200 OK', ...lines, '', ''].join('\r\n'));
        expect(reply?.statusCode).toBe(200);
        expect(Object.getPrototypeOf(reply?.headers)).toBe(Object.prototype);
      }),
      { numRuns: 300 },
    );
  });
});

describe('buildMSearch', () => {
  it('writes the four mandatory headers and a blank line', () => {
    const text = buildMSearch('urn:schemas-upnp-org:device:InternetGatewayDevice:1', '239.255.255.250:1900').toString();
    expect(text).toBe(
      'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 2\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n',
    );
  });
});

describe('parseHostPort', () => {
  it('splits IPv4, bracketed IPv6 and bare hosts', () => {
    expect(parseHostPort('239.255.255.250:1900', 1)).toEqual({ address: '239.255.255.250', port: 1900 });
    expect(parseHostPort('[ff02::c]:1900', 1)).toEqual({ address: 'ff02::c', port: 1900 });
    expect(parseHostPort('ff02::c', 1900)).toEqual({ address: 'ff02::c', port: 1900 });
    expect(parseHostPort('127.0.0.1', 5351)).toEqual({ address: '127.0.0.1', port: 5351 });
  });
  it('rejects bad ports and empty hosts', () => {
    expect(parseHostPort('127.0.0.1:0', 1)).toBeUndefined();
    expect(parseHostPort('127.0.0.1:70000', 1)).toBeUndefined();
    expect(parseHostPort(':1900', 1)).toBeUndefined();
    expect(parseHostPort('a:b', 1)).toBeUndefined();
  });
});
