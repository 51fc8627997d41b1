/**
 * decideTokenRecipient against real loopback fakes: a fake PMS answering /identity (the copied identity a spoofer
 * would give) and a fake plex.tv whose resources say what the account owns and where. Only proof gets the token;
 * the fakes record that the server itself is never sent it while deciding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideTokenRecipient, type TokenRecipientOptions } from '../../src/diagnose/token-recipient.js';
import { startFakePlexServer, type FakePlexServer } from '../../src/testing/fake-plex-server/index.js';
import { startFakePlexTv, type FakePlexTv } from '../../src/testing/fake-plex-tv/index.js';
import { deviceValue } from '../../src/testing/observations.js';

const TOKEN = 'recipient-test-token-1b2c';
const MACHINE = 'feedface0000feedface0000feedface0000feed';

let server: FakePlexServer;
let plexTv: FakePlexTv;

type Connection = {
  address: string;
  port: number;
  local?: boolean;
  relay?: boolean;
  protocol?: 'http' | 'https';
  uri?: string;
};
function listServer(connections: Connection[], extra: Record<string, unknown> = {}): void {
  plexTv.devices.splice(
    0,
    plexTv.devices.length,
    deviceValue({ clientIdentifier: MACHINE, connections, ...extra }) as never,
  );
}

beforeAll(async () => {
  server = await startFakePlexServer({ machineIdentifier: MACHINE });
  plexTv = await startFakePlexTv({ tokens: [TOKEN] });
});
afterAll(async () => {
  await Promise.all([server?.close(), plexTv?.close()]);
});

const decide = (overrides: Partial<TokenRecipientOptions> = {}) =>
  decideTokenRecipient({
    url: server.url,
    origin: 'discovered',
    token: TOKEN,
    plexTv: { baseUrl: plexTv.url },
    timeoutMs: 2000,
    hostAddresses: ['127.0.0.1', '192.0.2.10'],
    ...overrides,
  });

describe('decideTokenRecipient', () => {
  it('sends to a URL the user named, and to this host loopback the caller chose, without asking anyone', async () => {
    const before = plexTv.requests.length + server.requests.length;
    expect(await decide({ origin: 'user', url: 'http://198.51.100.7:32400' })).toMatchObject({
      send: true,
      reason: 'named-url',
    });
    expect(await decide({ origin: 'this-host', url: 'http://127.0.0.1:32400' })).toMatchObject({
      send: true,
      reason: 'this-host',
    });
    expect(plexTv.requests.length + server.requests.length).toBe(before);
  });

  it('"this-host" that is not loopback needs the proof like any discovered server (here: none possible)', async () => {
    // plex.tv off, so the decision is made without a packet to the (documentation-range) address.
    expect(await decide({ origin: 'this-host', url: 'http://192.0.2.99:32400', plexTv: false })).toMatchObject({
      send: false,
      reason: 'no-plextv',
    });
    expect(await decide({ origin: 'this-host', url: 'http://localhost:32400', plexTv: false })).toMatchObject({
      send: true,
      reason: 'this-host',
    });
  });

  it('sends to an owned server at a connection plex.tv lists; the server never sees the token meanwhile', async () => {
    listServer([{ address: '127.0.0.1', port: server.port, local: true, protocol: 'http', uri: server.url }]);
    const before = server.requests.length;
    expect(await decide()).toMatchObject({ send: true, reason: 'plextv-owned' });
    expect(server.requests.slice(before).map((r) => [r.path, r.hadToken])).toEqual([['/identity', false]]);
    expect(plexTv.requests.at(-1)).toMatchObject({ path: '/api/v2/resources', tokenValid: true });
  });

  it('refuses an owned server at an address plex.tv does not list for it (a copied identifier)', async () => {
    listServer([{ address: '192.0.2.55', port: server.port, local: true }]);
    expect(await decide()).toMatchObject({ send: false, reason: 'connection-not-listed' });
  });

  it('refuses the listed address on another port, and a relay connection at the address', async () => {
    listServer([
      { address: '127.0.0.1', port: server.port + 1, local: true },
      { address: '127.0.0.1', port: server.port, relay: true },
    ]);
    expect(await decide()).toMatchObject({ send: false, reason: 'connection-not-listed' });
  });

  it('accepts loopback on the server own host: plex.tv lists one of this host addresses on that port', async () => {
    listServer([{ address: '192.0.2.10', port: server.port, local: true }]);
    expect(await decide()).toMatchObject({ send: true, reason: 'plextv-owned' });
    // The same listing does not vouch for a host that is not this one.
    expect(await decide({ hostAddresses: ['127.0.0.1', '192.0.2.11'] })).toMatchObject({ send: false });
  });

  it('refuses a server the account does not own (shared with it) and one plex.tv does not know', async () => {
    listServer([{ address: '127.0.0.1', port: server.port, local: true }], { owned: false, ownerId: '99' });
    expect(await decide()).toMatchObject({ send: false, reason: 'not-owned' });
    plexTv.devices.splice(0, plexTv.devices.length);
    expect(await decide()).toMatchObject({ send: false, reason: 'not-owned' });
  });

  it('refuses when plex.tv is off, does not answer, or the server cannot say who it is', async () => {
    expect(await decide({ plexTv: false })).toMatchObject({ send: false, reason: 'no-plextv' });
    expect(await decide({ plexTv: { baseUrl: 'http://127.0.0.1:9' } })).toMatchObject({
      send: false,
      reason: 'plextv-failed',
    });
    expect(await decide({ url: 'http://127.0.0.1:9' })).toMatchObject({ send: false, reason: 'identity-failed' });
  });

  it('never puts unprintable text from the network in its reason', async () => {
    const odd = await startFakePlexServer({ machineIdentifier: 'x\u001b]52;c;aGk=\u0007y' });
    try {
      plexTv.devices.splice(0, plexTv.devices.length);
      const decision = await decide({ url: odd.url });
      expect(decision).toMatchObject({ send: false, reason: 'not-owned' });
      expect(decision.detail).toContain('(an unprintable identifier)');
      expect(decision.detail).not.toMatch(/[\u0000-\u001f]/);
    } finally {
      await odd.close();
    }
  });
});
