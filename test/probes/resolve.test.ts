import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LookupFailure, queryServer, queryServerBoth, systemLookup } from '../../src/probes/resolve.js';
import { startFakeDnsServer, type FakeDnsServer } from '../../src/testing/fake-dns.js';

const HASH = '0123456789abcdef0123456789abcdef';

async function failureOf(promise: Promise<unknown>): Promise<LookupFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(LookupFailure);
    return error as LookupFailure;
  }
  throw new Error('expected the lookup to fail');
}

describe('systemLookup (getaddrinfo), on what is deterministic', () => {
  it('resolves localhost from the hosts file', async () => {
    const addresses = await systemLookup('localhost', { timeoutMs: 2000 });
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
  });

  it('fails a .invalid name (RFC 6761: never resolves) with ENOTFOUND', async () => {
    const failure = await failureOf(systemLookup('plex-diagnose-test.invalid', { timeoutMs: 2000 }));
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(failure.code);
  });

  it('fails with EABORTED when the signal has already fired', async () => {
    const failure = await failureOf(systemLookup('localhost', { timeoutMs: 2000, signal: AbortSignal.abort() }));
    expect(failure.code).toBe('EABORTED');
  });
});

describe('queryServer / queryServerBoth against a loopback DNS server', () => {
  let dns: FakeDnsServer;
  beforeAll(async () => {
    dns = await startFakeDnsServer();
  });
  afterAll(async () => {
    await dns.close();
  });

  it('returns the A answer, and A+AAAA together with queryServerBoth', async () => {
    dns.setMode('plex-direct');
    expect(await queryServer(dns.address, `10-1-2-3.${HASH}.plex.direct`, 'A', { timeoutMs: 500 })).toEqual([
      { address: '10.1.2.3', family: 4 },
    ]);
    // An IPv4 name has no AAAA: both together still succeed with what exists.
    expect(await queryServerBoth(dns.address, `10-1-2-3.${HASH}.plex.direct`, { timeoutMs: 500 })).toEqual([
      { address: '10.1.2.3', family: 4 },
    ]);
  });

  it('normalises c-ares codes: NXDOMAIN → ENOTFOUND, silence → ETIMEDOUT (not ETIMEOUT)', async () => {
    dns.setMode('rebind-nxdomain');
    expect(
      (await failureOf(queryServerBoth(dns.address, `10-1-2-3.${HASH}.plex.direct`, { timeoutMs: 500 }))).code,
    ).toBe('ENOTFOUND');
    dns.setMode('silent');
    expect(
      (await failureOf(queryServer(dns.address, `10-1-2-3.${HASH}.plex.direct`, 'A', { timeoutMs: 150 }))).code,
    ).toBe('ETIMEDOUT');
  });

  it('rejects a server string that is not an address with EINVAL', async () => {
    expect((await failureOf(queryServer('not a server', 'x.plex.direct', 'A', { timeoutMs: 100 }))).code).toBe(
      'EINVAL',
    );
  });
});
