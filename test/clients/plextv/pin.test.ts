import { describe, expect, it } from 'vitest';
import { PinOutcome, PlexPin, pinAuthUrl } from '../../../src/clients/plextv/pin.js';
import { pinPollDelay } from '../../../src/clients/plextv/pin-poll.js';
import { fixtureJson } from './helpers.js';

describe('PlexPin', () => {
  it('parses the new-pin capture: authToken null until linked', () => {
    const pin = PlexPin.parse(fixtureJson('plextv-api-v2-pins-new__plex-api-rs.json'));
    expect(pin).toMatchObject({
      id: 111222333,
      code: 'CODE',
      clientIdentifier: 'ClientId',
      expiresIn: 900,
      authToken: null,
    });
    expect(pin.expiresAt).toBe('2022-02-01T00:15:00.000Z');
    expect(pin.location).toMatchObject({ code: 'GB' });
  });

  it('parses the linked-pin capture: authToken set', () => {
    expect(PlexPin.parse(fixtureJson('plextv-api-v2-pins-linked__plex-api-rs.json')).authToken).toBe('auth_token');
  });

  it('parses the plex-api-spec example (transcribed from its YAML; no YAML parser here) and an XML-decoded pin', () => {
    const pin = PlexPin.parse({
      id: 373040866,
      code: '7RQZ',
      product: '0',
      trusted: false,
      qr: 'https://plex.tv/api/v2/pins/qr/7RQZ',
      clientIdentifier: '9klpwueublnfbvlx95w83ah9',
      location: { code: 'NL', country: 'The Netherlands' },
      expiresIn: 876,
      createdAt: '2024-07-16T17:03:05Z',
      expiresAt: '2024-07-16T17:18:05Z',
      authToken: null,
    });
    expect(pin).toMatchObject({
      id: 373040866,
      code: '7RQZ',
      expiresIn: 876,
      authToken: null,
      qr: 'https://plex.tv/api/v2/pins/qr/7RQZ',
    });
    const fromXml = PlexPin.parse({ pin: { id: '5', code: 'ABCD', expiresIn: '900', trusted: '0', authToken: '' } });
    expect(fromXml).toMatchObject({ id: 5, code: 'ABCD', expiresIn: 900, trusted: false, authToken: null });
  });

  it('rejects a pin without id or code', () => {
    expect(PlexPin.safeParse({ code: 'X' }).success).toBe(false);
    expect(PlexPin.safeParse({ id: 1 }).success).toBe(false);
  });
});

describe('pinAuthUrl', () => {
  it('puts clientID, code and the product in the fragment of app.plex.tv/auth', () => {
    const url = new URL(
      pinAuthUrl({ code: 'abc', clientIdentifier: 'client-1', product: '0' }, 'ignored', {
        forwardUrl: 'http://localhost:1/done',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://app.plex.tv/auth');
    expect(url.search).toBe('');
    const params = new URLSearchParams(url.hash.replace(/^#\?/, ''));
    expect(params.get('clientID')).toBe('client-1');
    expect(params.get('code')).toBe('abc');
    // "0" is what plex.tv echoes for product in the captures; it is not a useful name to show.
    expect(params.get('context[device][product]')).toBe('plex-diagnose');
    expect(params.get('forwardUrl')).toBe('http://localhost:1/done');
  });

  it('falls back to the client identifier and takes the product and app URL from options', () => {
    const url = pinAuthUrl({ code: 'c' }, 'client-2', { product: 'My Tool', appUrl: 'http://127.0.0.1:9/auth' });
    expect(url).toBe('http://127.0.0.1:9/auth#?clientID=client-2&code=c&context%5Bdevice%5D%5Bproduct%5D=My+Tool');
  });
});

describe('pinPollDelay', () => {
  it('grows by half each poll and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => pinPollDelay(n, 1000, 5000))).toEqual([
      1000, 1500, 2250, 3375, 5000, 5000, 5000,
    ]);
    expect([0, 1, 2].map((n) => pinPollDelay(n, 100, 100))).toEqual([100, 100, 100]);
    // A cap below the interval does not shrink the interval.
    expect(pinPollDelay(3, 200, 50)).toBe(200);
  });
});

describe('PinOutcome', () => {
  it('validates each outcome', () => {
    expect(PinOutcome.parse({ status: 'authorized', authToken: 't' })).toEqual({
      status: 'authorized',
      authToken: 't',
    });
    expect(PinOutcome.safeParse({ status: 'authorized' }).success).toBe(false);
    expect(PinOutcome.safeParse({ status: 'maybe' }).success).toBe(false);
  });
});
