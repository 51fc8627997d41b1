import { describe, expect, it } from 'vitest';
import { classifyConnection, findServer, serversOf } from '../../../src/clients/plextv/connections.js';
import { PlexDevice, PlexDeviceList } from '../../../src/clients/plextv/devices.js';
import { decodeBody } from '../../../src/http/decode.js';
import { fixture, fixtureJson } from './helpers.js';

const device = (name: string): PlexDevice => {
  const raw = fixtureJson(name);
  return PlexDevice.parse(Array.isArray(raw) ? raw[0] : raw);
};

describe('classifyConnection on real captures', () => {
  it('swift capture: local plex.direct, remote on the manual port, relay on 8443', () => {
    const kinds = device('plextv-api-v2-resources-json-relay__swift-client-comment.json').connections.map(
      classifyConnection,
    );
    expect(kinds.map((k) => [k.kind, k.addressClass])).toEqual([
      ['local', 'private'],
      ['remote', 'public'],
      ['relay', 'public'],
    ]);
    expect(kinds[0]!.plexDirect).toMatchObject({
      address: '192.168.135.254',
      hash: 'b9c7c12bf5f64e85a1a12a53f4e74f69',
    });
  });

  it('plex-api.rs Docker capture: the custom access URL is custom even though address and uri host agree', () => {
    const kinds = device('plextv-api-v2-resources__plex-api-rs.json').connections.map(classifyConnection);
    expect(kinds.map((k) => k.kind)).toEqual(['local', 'custom', 'remote', 'relay']);
    expect(kinds[1]).toMatchObject({ host: 'example.org', addressClass: 'invalid' });
    expect(kinds[1]!.plexDirect).toBeUndefined();
    expect(kinds[0]!.addressClass).toBe('private');
  });

  it('scholz capture: a reverse-proxy URL is custom', () => {
    const kinds = device('plextv-api-v2-resources-json__scholz-ruhr-blog.json').connections.map(classifyConnection);
    expect(kinds.map((k) => k.kind)).toEqual(['custom', 'local']);
  });

  it('legacy capture: a uri whose IP differs from the address is custom; bare-IP uris are local/remote', () => {
    const [legacy] = PlexDeviceList.parse(decodeBody(fixture('plextv-api-resources-legacy__plex-api-rs.xml')));
    expect(legacy!.connections.map((c) => classifyConnection(c).kind)).toEqual(['custom', 'custom', 'remote']);
  });

  it('IPv6 plex.direct names and bracketed IPv6 uris are Plex forms', () => {
    const v6 = classifyConnection({
      uri: 'https://2001-db8--1.0123abcd.plex.direct:32400',
      address: '2001:db8::1',
      local: false,
      relay: false,
    });
    expect(v6).toMatchObject({ kind: 'remote', addressClass: 'reserved' });
    expect(v6.plexDirect?.family).toBe(6);
    const bare = classifyConnection({ uri: 'http://[fd00::5]:32400', address: 'fd00::5', local: true, relay: false });
    expect(bare).toMatchObject({ kind: 'local', host: 'fd00::5', addressClass: 'private' });
    const mismatch = classifyConnection({
      uri: 'https://10-0-0-9.abc.plex.direct:32400',
      address: '10.0.0.8',
      local: true,
      relay: false,
    });
    expect(mismatch.kind).toBe('custom');
  });

  it('never throws on an unparsable uri', () => {
    expect(classifyConnection({ uri: '::::', address: '192.168.1.2', local: true, relay: false })).toMatchObject({
      kind: 'custom',
      addressClass: 'private',
    });
  });
});

describe('serversOf / findServer', () => {
  const list = PlexDeviceList.parse(
    decodeBody(fixture('plextv-pms-resources-xml__test-fixture-plex_cloud_resources.xml')),
  );

  it('keeps the devices that provide "server"', () => {
    expect(serversOf(list).map((d) => d.name)).toEqual(['TestServer', 'ec2-192-168-240-22']);
    expect(serversOf([])).toEqual([]);
  });

  it('finds a server by machineIdentifier, ignoring case', () => {
    expect(findServer(list, 'CE06903388FB95D8895501533558C69513B3BD64')?.name).toBe('ec2-192-168-240-22');
    expect(findServer(list, 'nope')).toBeUndefined();
  });
});
