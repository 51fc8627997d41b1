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

  // The v2 JSON capture's shapes with one field left out, as a proxy or an older plex.tv answer can deliver them.
  const dockerCapture = {
    name: 'Box',
    clientIdentifier: 'client_id2',
    provides: 'server',
    publicAddress: '2.2.2.2',
    connections: [
      { protocol: 'https', address: '172.18.0.3', port: 32400, local: true, relay: false, IPv6: false },
      { uri: 'https://2-2-2-2.client-id2.plex.direct:443', local: false, relay: false },
      { uri: 'https://192-168-1-20.client-id2.plex.direct:32400' },
      { uri: 'https://178-3-2-1.client-id2.plex.direct:8443', local: false, relay: true },
      { protocol: 'http', address: '2001:db8::7', port: 32400, local: false },
    ],
  };

  it('an address without a uri is kept, with the uri a client would dial, and classed by its flag', () => {
    const parsed = PlexDevice.parse(dockerCapture);
    expect(parsed.connections).toHaveLength(5);
    expect(parsed.connections[0]).toMatchObject({ uri: 'https://172.18.0.3:32400', address: '172.18.0.3' });
    expect(classifyConnection(parsed.connections[0]!)).toMatchObject({ kind: 'local', addressClass: 'private' });
    expect(parsed.connections[4]!.uri).toBe('http://[2001:db8::7]:32400');
    expect(classifyConnection(parsed.connections[4]!).kind).toBe('remote');
  });

  it('a uri-only plex.direct connection gets the encoded IP as address and is remote/local, never custom', () => {
    const parsed = PlexDevice.parse(dockerCapture);
    expect(parsed.connections.slice(1, 4).map((c) => c.address)).toEqual(['2.2.2.2', '192.168.1.20', '178.3.2.1']);
    expect(parsed.connections.slice(1, 4).map((c) => classifyConnection(c).kind)).toEqual(['remote', 'local', 'relay']);
    // No local flag at all: the private address decides it is on the LAN.
    expect(parsed.connections[2]!.local).toBe(true);
  });

  it('a plex.direct connection whose address is the name itself is still a Plex form', () => {
    const name = '84-0-0-2.0123456789abcdef0123456789abcdef.plex.direct';
    const classified = classifyConnection({ uri: `https://${name}:32400`, address: name, local: false, relay: false });
    expect(classified).toMatchObject({ kind: 'remote', addressClass: 'public' });
    const bare = PlexDevice.parse({ name: 'x', clientIdentifier: 'y', connections: [{ address: name, port: 32400 }] });
    expect(bare.connections[0]).toMatchObject({ uri: `http://${name}:32400`, local: false });
    expect(classifyConnection(bare.connections[0]!).kind).toBe('remote');
  });

  it('a connection with neither uri nor address is still dropped (nothing to dial)', () => {
    const parsed = PlexDevice.parse({
      name: 'x',
      clientIdentifier: 'y',
      connections: [{ protocol: 'https', port: 1 }],
    });
    expect(parsed.connections).toEqual([]);
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
