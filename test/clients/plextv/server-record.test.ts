import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/http/decode.js';
import { PlexServerRecordList } from '../../../src/clients/plextv/server-record.js';
import { fixture, fixtureJson } from './helpers.js';

describe('PlexServerRecordList', () => {
  it('parses the api/servers/{id} XML capture (Plexopedia), sections kept as unknown fields', () => {
    const [record] = PlexServerRecordList.parse(decodeBody(fixture('plextv-api-servers-id-xml__plexopedia.xml')));
    expect(record).toMatchObject({
      machineIdentifier: '93c418a691854d3be47ead674134d86a3f5e00f4',
      name: 'MyPlexServer',
      address: 'XXX.XXX.XXX.XXX',
      port: 32401,
      scheme: 'http',
      localAddresses: ['192.168.1.100'],
      owned: true,
      createdAt: new Date(1690834837 * 1000).toISOString(),
    });
    expect((record!.Section as unknown[]).length).toBe(4);
  });

  it('parses the v2 JSON capture (a bare object)', () => {
    const [record] = PlexServerRecordList.parse(fixtureJson('plextv-api-v2-servers-machineid__plex-api-rs.json'));
    expect(record).toMatchObject({
      machineIdentifier: 'machine_id',
      address: '127.0.0.1',
      port: 443,
      localAddresses: ['172.0.0.0'],
      synced: false,
    });
  });

  it('drops credentials, accepts an empty container, and requires a machineIdentifier', () => {
    const [record] = PlexServerRecordList.parse({
      MediaContainer: { Server: [{ machineIdentifier: 'm', accessToken: 'server-secret-1' }] },
    });
    expect(JSON.stringify(record)).not.toContain('server-secret-1');
    expect(PlexServerRecordList.parse({ MediaContainer: { size: '0' } })).toEqual([]);
    expect(PlexServerRecordList.safeParse({ MediaContainer: { Server: [{ name: 'x' }] } }).success).toBe(false);
  });
});
