import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../../src/http/decode.js';
import { PlexUser, USER_XML_ARRAYS } from '../../../src/clients/plextv/user.js';
import { fixture, fixtureJson } from './helpers.js';

describe('PlexUser', () => {
  it('parses the free-account capture: no subscription plan, features kept, authToken stripped', () => {
    const user = PlexUser.parse(fixtureJson('plextv-api-v2-user-free__plex-api-rs.json'));
    expect(user).toMatchObject({
      id: 12345,
      uuid: '212acf24b07315e5',
      username: 'user@example.com',
      email: 'user@example.com',
    });
    expect(user.subscription).toMatchObject({ active: false, status: 'Inactive' });
    expect(user.subscription?.plan).toBeUndefined();
    expect(user.subscription?.features).toContain('lets_encrypt');
    expect('authToken' in user).toBe(false);
    expect(JSON.stringify(user)).not.toContain('auth_token');
    expect(user.country).toBe('GB');
  });

  it('parses the Plex Pass capture and strips every credential (authToken, home pin, service tokens and secrets)', () => {
    const user = PlexUser.parse(fixtureJson('plextv-api-v2-user-plexpass__plex-api-rs.json'));
    expect(user.subscription).toMatchObject({ active: true, status: 'Active', plan: 'lifetime' });
    expect(user.subscription?.features).toContain('hardware_transcoding');
    const text = JSON.stringify(user);
    for (const secret of ['auth_token', '<pin>', 'token1', 'token5', 'secret3', 'secret8'])
      expect(text).not.toContain(secret);
    const services = user.services as { identifier: string }[];
    expect(services.map((s) => s.identifier)).toContain('epg');
    expect(user.homeAdmin).toBe(true);
  });

  it('parses the legacy users/account XML capture to the same field types', () => {
    const data = decodeBody(fixture('plextv-users-account-xml__python-plexapi-payloads.xml'), {
      xmlArrays: USER_XML_ARRAYS,
    });
    const user = PlexUser.parse(data);
    expect(user).toMatchObject({
      id: 12345,
      uuid: '1234567890',
      username: 'testuser',
      title: 'Test User',
      home: true,
      twoFactorEnabled: true,
    });
    expect(user.subscription).toStrictEqual({
      active: true,
      status: 'Active',
      plan: 'lifetime',
      subscribedAt: '2023-03-24 00:00:00 UTC',
      paymentService: '',
      features: ['companions_sonos'],
    });
    expect(JSON.stringify(user)).not.toContain('faketoken');
    // The default XML policy (every child a list) gives the same core fields.
    const nonRoot = PlexUser.parse(decodeBody(fixture('plextv-users-account-xml__python-plexapi-payloads.xml')));
    expect(nonRoot.subscription?.features).toEqual(['companions_sonos']);
  });

  it('requires an id and tolerates a missing subscription', () => {
    expect(PlexUser.safeParse({ username: 'x' }).success).toBe(false);
    const user = PlexUser.parse({ id: '7', username: 'x' });
    expect(user.id).toBe(7);
    expect(user.subscription).toBeUndefined();
  });
});
