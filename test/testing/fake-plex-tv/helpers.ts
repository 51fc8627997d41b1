/** Helpers shared by the fake plex.tv tests (not a test file itself). */
import { afterEach } from 'vitest';
import { httpRequest, type HttpRequestOptions, type HttpResponse } from '../../../src/http/transport.js';
import { startFakePlexTv, type FakePlexTv, type FakePlexTvOptions } from '../../../src/testing/fake-plex-tv/index.js';

export const TOKEN = 'fake-test-token-7788';
export const MACHINE_ID = '0f0e0d0c0b0a09080706050403020100aabbccdd';
export const HASH = '35aad435765b4f0c9e1d2a3b4c5d6e7f';

/** Servers a test opened; closed after each test (registers its own afterEach in the importing file). */
export const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

export async function fakeWith(options: FakePlexTvOptions = {}): Promise<FakePlexTv> {
  const fake = await startFakePlexTv({ tokens: [TOKEN], ...options });
  opened.push(fake);
  return fake;
}

export const call = (
  fake: FakePlexTv,
  path: string,
  options: Partial<HttpRequestOptions> = {},
): Promise<HttpResponse> => httpRequest({ url: `${fake.url}${path}`, timeoutMs: 2000, ...options });

export function publishBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    machineIdentifier: MACHINE_ID,
    name: 'Lab PMS',
    productVersion: '1.41.3.9314',
    platform: 'Linux',
    platformVersion: '6.1.0',
    localAddresses: ['192.168.1.10', 'fd00::10'],
    port: 32400,
    publicPort: 40000,
    httpsRequired: false,
    relayEnabled: true,
    customConnections: ['https://plex.example.org:443'],
    certificateHash: HASH,
    remoteAccessEnabled: true,
    ...overrides,
  });
}

/** POST /__fake/servers/publish; `token: null` sends none. */
export const publish = (fake: FakePlexTv, body = publishBody(), token: string | null = TOKEN): Promise<HttpResponse> =>
  call(fake, '/__fake/servers/publish', {
    method: 'POST',
    token: token ?? undefined,
    headers: { 'Content-Type': 'application/json' },
    body,
  });
