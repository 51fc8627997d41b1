import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDnsServer, type FakeDnsServer } from '../../src/testing/fake-dns.js';

const HASH = '0123456789abcdef0123456789abcdef';
const name = (label: string, hash = HASH): string => `${label}.${hash}.plex.direct`;

function resolverFor(server: FakeDnsServer, timeout = 300): Resolver {
  const resolver = new Resolver({ timeout, tries: 1 });
  resolver.setServers([server.address]);
  return resolver;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

describe('startFakeDnsServer', () => {
  let server: FakeDnsServer;
  beforeAll(async () => {
    server = await startFakeDnsServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a plex.direct name with the address encoded in it, whatever the hash, like Plex does', async () => {
    server.setMode('plex-direct');
    const resolver = resolverFor(server);
    expect(await resolver.resolve4(name('192-168-1-10'))).toEqual(['192.168.1.10']);
    expect(await resolver.resolve4(name('203-0-113-7', 'youcanwriteanythinghere'))).toEqual(['203.0.113.7']);
    expect(await resolver.resolve6(name('2001-db8--5'))).toEqual(['2001:db8::5']);
    // The other record type exists as a name but has no data; other domains do not exist.
    expect(await codeOf(resolver.resolve6(name('192-168-1-10')))).toBe('ENODATA');
    expect(await codeOf(resolver.resolve4('example.com'))).toBe('ENOTFOUND');
    expect(server.queries).toContainEqual({ name: name('192-168-1-10'), type: 'A' });
  });

  it('rebind-nxdomain: private, loopback and link-local answers become NXDOMAIN; public ones still resolve', async () => {
    server.setMode('rebind-nxdomain');
    const resolver = resolverFor(server);
    for (const label of ['192-168-1-10', '10-0-0-2', '127-0-0-1', '169-254-1-1']) {
      expect(await codeOf(resolver.resolve4(name(label)))).toBe('ENOTFOUND');
    }
    expect(await codeOf(resolver.resolve6(name('fd00--5')))).toBe('ENOTFOUND');
    expect(await resolver.resolve4(name('1-1-1-1'))).toEqual(['1.1.1.1']);
  });

  it('rebind-empty: private answers are stripped to NOERROR with no records (ENODATA)', async () => {
    server.setMode('rebind-empty');
    const resolver = resolverFor(server);
    expect(await codeOf(resolver.resolve4(name('192-168-1-10')))).toBe('ENODATA');
    expect(await resolver.resolve4(name('8-8-8-8'))).toEqual(['8.8.8.8']);
  });

  it('rebind-sinkhole: private answers become the null address, public ones resolve', async () => {
    server.setMode('rebind-sinkhole');
    const resolver = resolverFor(server);
    expect(await resolver.resolve4(name('192-168-1-10'))).toEqual(['0.0.0.0']);
    expect(await resolver.resolve6(name('fd00--5'))).toEqual(['::']);
    expect(await resolver.resolve4(name('8-8-8-8'))).toEqual(['8.8.8.8']);
  });

  it('wrong-answer, servfail, refused: the configured wrong address or that rcode for every name', async () => {
    const resolver = resolverFor(server);
    server.setMode('wrong-answer');
    expect(await resolver.resolve4(name('192-168-1-10'))).toEqual(['192.0.2.123']);
    expect(await resolver.resolve6(name('2001-db8--5'))).toEqual(['2001:db8::123']);
    server.setMode('servfail');
    expect(await codeOf(resolver.resolve4(name('1-1-1-1')))).toBe('ESERVFAIL');
    server.setMode('refused');
    expect(await codeOf(resolver.resolve4(name('1-1-1-1')))).toBe('EREFUSED');
  });

  it('silent never answers (the client times out); malformed answers a packet the client rejects', async () => {
    const resolver = resolverFor(server, 150);
    server.setMode('silent');
    expect(await codeOf(resolver.resolve4(name('1-1-1-1')))).toBe('ETIMEOUT');
    server.setMode('malformed');
    expect(await codeOf(resolver.resolve4(name('1-1-1-1')))).toBe('EBADRESP');
  });

  it('listens on ::1 too, and its address is in the "[v6]:port" form setServers takes', async (context) => {
    let v6: FakeDnsServer;
    try {
      v6 = await startFakeDnsServer({ host: '::1', wrongAddress: '198.51.100.9', mode: 'wrong-answer' });
    } catch {
      return context.skip('this machine has no ::1 (IPv6 loopback disabled)');
    }
    try {
      expect(v6.address).toBe(`[::1]:${v6.port}`);
      expect(await resolverFor(v6).resolve4(name('10-0-0-1'))).toEqual(['198.51.100.9']);
    } finally {
      await v6.close();
      await v6.close();
    }
  });
});
