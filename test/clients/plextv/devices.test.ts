import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/http/decode.js';
import {
  PlexConnection,
  PlexDevice,
  PlexDeviceList,
  RESOURCE_XML_ARRAYS,
  withoutSecrets,
} from '../../../src/clients/plextv/devices.js';
import { fixture, fixtureJson } from './helpers.js';

const decodeXml = (name: string, arrays: 'non-root' | ReadonlySet<string> = RESOURCE_XML_ARRAYS): unknown =>
  decodeBody(fixture(name), { xmlArrays: arrays });

/** The cn-doc XML capture written the way plex.tv's v2 JSON writes the same data (real booleans, null for ""). */
const CN_DOC_AS_JSON = [
  {
    name: 'xxx',
    product: 'Plex Media Server',
    productVersion: '1.29.2',
    platform: 'Linux',
    platformVersion: 'DSM',
    device: 'DS+',
    clientIdentifier: 'xxx',
    createdAt: '2024-03-17T11:34:53Z',
    lastSeenAt: '2024-04-19T19:09:52Z',
    provides: 'server',
    ownerId: null,
    sourceTitle: null,
    publicAddress: '22.22.22.22',
    accessToken: 'xxx',
    owned: true,
    home: false,
    synced: false,
    relay: true,
    presence: true,
    httpsRequired: false,
    publicAddressMatches: true,
    dnsRebindingProtection: false,
    natLoopbackSupported: false,
    connections: [
      {
        protocol: 'https',
        address: '192.168.22.22',
        port: 32400,
        uri: 'https://192-168-22-22.xxx.plex.direct:32400',
        local: true,
        relay: false,
        IPv6: false,
      },
      {
        protocol: 'https',
        address: '139.162.22.22',
        port: 8443,
        uri: 'https://139-162-22-22.xxx.plex.direct:8443',
        local: false,
        relay: true,
        IPv6: false,
      },
    ],
  },
];

describe('PlexDeviceList: every real capture parses', () => {
  it.each([
    ['plextv-api-v2-resources__plex-api-rs.json', 1, 4],
    ['plextv-api-v2-resources-json__scholz-ruhr-blog.json', 1, 2],
    ['plextv-api-v2-resources-json-relay__swift-client-comment.json', 1, 3],
  ])('v2 JSON %s', (name, devices, connections) => {
    const raw = fixtureJson(name);
    // Two of the captures are a single device object (quoted from a comment or blog), not the list.
    const list = PlexDeviceList.parse(Array.isArray(raw) ? raw : [raw]);
    expect(list).toHaveLength(devices);
    expect(list[0]!.connections).toHaveLength(connections);
    expect(list[0]!.provides).toEqual(['server']);
    expect(list[0]!.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
  });

  it('v2 XML (cn-doc: <resources><resource><connections><connection/>) with either XML array policy', () => {
    const withSet = PlexDeviceList.parse(decodeXml('plextv-api-v2-resources-xml__cn-doc.xml'));
    const nonRoot = PlexDeviceList.parse(decodeXml('plextv-api-v2-resources-xml__cn-doc.xml', 'non-root'));
    expect(withSet).toStrictEqual(nonRoot);
    expect(withSet[0]!.connections.map((c) => c.relay)).toEqual([false, true]);
    expect(withSet[0]!.publicAddressMatches).toBe(true);
    expect(withSet[0]!.ownerId).toBeUndefined();
  });

  it('the same data as JSON and as XML parse to deep-equal devices', () => {
    const fromXml = PlexDeviceList.parse(decodeXml('plextv-api-v2-resources-xml__cn-doc.xml'));
    const fromJson = PlexDeviceList.parse(decodeBody(Buffer.from(JSON.stringify(CN_DOC_AS_JSON))));
    expect(fromXml).toStrictEqual(fromJson);
  });

  it('legacy api/resources XML: epoch dates become ISO, relay/IPv6 default to false', () => {
    const [device] = PlexDeviceList.parse(decodeXml('plextv-api-resources-legacy__plex-api-rs.xml'));
    expect(device!.createdAt).toBe(new Date(1628211599 * 1000).toISOString());
    expect(device!.connections).toHaveLength(3);
    for (const connection of device!.connections) {
      expect(connection.relay).toBe(false);
      expect(connection.IPv6).toBe(false);
    }
    expect(device!.connections[0]).toMatchObject({ protocol: 'http', address: '172.1.0.1', port: 32400, local: true });
  });

  it('pms/resources XML: servers and a client without connections', () => {
    const list = PlexDeviceList.parse(decodeXml('plextv-pms-resources-xml__test-fixture-plex_cloud_resources.xml'));
    expect(list.map((d) => d.provides)).toEqual([['server'], ['server'], ['client', 'player', 'pubsub-player']]);
    expect(list[1]!.publicAddressMatches).toBe(false);
    expect(list[1]!.connections[0]!.address).toBe('172.31.64.184');
    expect(list[2]!.connections).toEqual([]);
  });

  it('devices.xml: uri-only connections get protocol, address and port from the uri; unknown fields are kept', () => {
    const list = PlexDeviceList.parse(decodeXml('plextv-devices-xml__plex-api-rs.xml'));
    expect(list).toHaveLength(26);
    const box = list.find((d) => d.name === 'Box')!;
    expect(box.connections[1]).toStrictEqual({
      protocol: 'https',
      address: 'example.com',
      port: 443,
      uri: 'https://example.com:443',
      local: false,
      relay: false,
      IPv6: false,
    });
    expect(box.connections[2]!.port).toBe(443);
    expect(box.model).toBe('x86_64');
  });
});

describe('PlexDevice tolerance', () => {
  it('keeps unknown protocols and fields, and treats "" and null as absent', () => {
    const device = PlexDevice.parse({
      name: 'x',
      clientIdentifier: 'abc',
      publicAddress: '',
      ownerId: 12345,
      futureField: { nested: true },
      connections: [{ protocol: 'quic', address: '1.2.3.4', port: '443', uri: 'quic://1.2.3.4:443', local: '0' }],
    });
    expect(device.publicAddress).toBeUndefined();
    expect('publicAddress' in device).toBe(false);
    expect(device.ownerId).toBe('12345');
    expect(device.futureField).toEqual({ nested: true });
    expect(device.connections[0]).toMatchObject({ protocol: 'quic', port: 443, local: false, relay: false });
  });

  it('accepts empty lists in every form', () => {
    expect(PlexDeviceList.parse([])).toEqual([]);
    expect(PlexDeviceList.parse(decodeBody(Buffer.from('<resources/>'), { xmlArrays: RESOURCE_XML_ARRAYS }))).toEqual(
      [],
    );
    expect(
      PlexDeviceList.parse(decodeBody(Buffer.from('<MediaContainer size="0"/>'), { xmlArrays: RESOURCE_XML_ARRAYS })),
    ).toEqual([]);
    const noConnections = decodeBody(
      Buffer.from('<resources><resource name="a" clientIdentifier="b"><connections/></resource></resources>'),
      {
        xmlArrays: RESOURCE_XML_ARRAYS,
      },
    );
    expect(PlexDeviceList.parse(noConnections)[0]!.connections).toEqual([]);
  });

  it('rejects what is not a device list', () => {
    expect(PlexDeviceList.safeParse({ hello: 'world' }).success).toBe(false);
    expect(PlexConnection.safeParse({ uri: 'not a url' }).success).toBe(false);
  });

  it('drops a malformed device or connection and keeps the rest', () => {
    const good = {
      name: 'ok',
      clientIdentifier: 'abc',
      provides: 'server',
      connections: [
        { protocol: 'http', address: '192.168.1.10', port: 32400, uri: 'http://192.168.1.10:32400' },
        { uri: 'not a url' },
      ],
    };
    const list = PlexDeviceList.parse([{ name: 'no id', connections: [] }, good]);
    expect(list.map((d) => d.clientIdentifier)).toEqual(['abc']);
    expect(list[0]!.connections.map((c) => c.uri)).toEqual(['http://192.168.1.10:32400']);
  });
});

describe('withoutSecrets', () => {
  it('drops accessToken and any token field, on the device and its connections, without touching the input', () => {
    const device = PlexDevice.parse({
      ...(fixtureJson('plextv-api-v2-resources__plex-api-rs.json') as Record<string, unknown>[])[0],
      token: 'device-token-123',
    });
    device.connections[0] = { ...device.connections[0]!, accessToken: 'conn-token-456' };
    const safe = withoutSecrets(device);
    const text = JSON.stringify(safe);
    expect(text).not.toContain('auth_token');
    expect(text).not.toContain('device-token-123');
    expect(text).not.toContain('conn-token-456');
    expect(safe.connections).toHaveLength(4);
    expect(safe.name).toBe('Box');
    expect(device.accessToken).toBe('auth_token');
  });
});
