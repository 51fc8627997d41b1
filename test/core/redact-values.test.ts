import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createIpAnonymizer } from '../../src/core/anonymize-ips.js';
import { redactSnapshot, redactValue } from '../../src/core/redact-values.js';
import { classifyAddress, isInCidr } from '../../src/core/net/address.js';
import { makeSnapshot, ok } from '../helpers/snapshot.js';

const KEY = Buffer.alloc(32, 7);

describe('createIpAnonymizer', () => {
  const anon = createIpAnonymizer(KEY);

  it('maps the same address to the same placeholder and different ones apart', () => {
    expect(anon.address('84.1.1.2')).toBe(anon.address('84.1.1.2'));
    expect(anon.address('84.1.1.2')).not.toBe('84.1.1.2');
    expect(anon.address('84.1.1.2')).not.toBe(anon.address('84.1.1.3'));
  });

  it('keeps the class of every address', () => {
    for (const ip of [
      '192.168.1.10',
      '10.0.0.2',
      '172.18.0.3',
      '100.64.0.2',
      '84.1.1.2',
      '8.8.8.8',
      '169.254.3.4',
      'fd00::1234',
      '2a01:4f8::1',
      'fe80::1',
    ]) {
      expect(classifyAddress(anon.address(ip)), ip).toBe(classifyAddress(ip));
    }
    expect(anon.address('127.0.0.1')).toBe('127.0.0.1');
  });

  it('keeps subnet relations: a host stays inside its mapped network', () => {
    const network = anon.address('192.168.1.0');
    expect(isInCidr(anon.address('192.168.1.10'), `${network}/24`)).toBe(true);
    expect(isInCidr(anon.address('192.168.2.10'), `${network}/24`)).toBe(false);
  });

  it('rewrites addresses inside text, URLs and plex.direct names consistently', () => {
    const hash = 'b9c7c12bf5f64e85a1a12a53f4e74f69';
    const text = anon.text(
      `https://192-168-1-10.${hash}.plex.direct:32400 and http://192.168.1.10:32400 and [2a01:4f8::1]:32400`,
    );
    const mapped = anon.address('192.168.1.10');
    expect(text).toContain(`${mapped.replace(/\./g, '-')}.`);
    expect(text).toContain(`http://${mapped}:32400`);
    expect(text).not.toContain(hash);
    expect(text).not.toContain('192.168.1.10');
    expect(text).not.toContain('2a01:4f8::1');
    expect(anon.text('version 1.40.0.7998 at 12:34:56')).toBe('version 1.40.0.7998 at 12:34:56');
  });

  it('keeps public IPv4 addresses public for any input (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(classifyAddress(anon.address(ip))).toBe(classifyAddress(ip));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("createIpAnonymizer with publicAs: 'documentation' (rendered reports)", () => {
  const inDocumentationRange = (ip: string): boolean =>
    ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24', '2001:db8::/32'].some((cidr) => isInCidr(ip, cidr));

  it('every public address becomes a documentation address; equal stays equal, different stays different', () => {
    const anon = createIpAnonymizer(KEY, { publicAs: 'documentation' });
    const publics = ['84.1.1.2', '8.8.8.8', '84.1.1.3', '2a01:4f8::1', '2606:4700::1111'];
    const mapped = publics.map((ip) => anon.address(ip));
    for (const ip of mapped) expect(inDocumentationRange(ip), ip).toBe(true);
    expect(new Set(mapped).size).toBe(publics.length);
    expect(anon.address('84.1.1.2')).toBe(mapped[0]);
  });

  it('keeps private, shared (CGNAT) and link-local classes and relations as before', () => {
    const anon = createIpAnonymizer(KEY, { publicAs: 'documentation' });
    for (const ip of ['192.168.1.10', '10.0.0.2', '172.18.0.3', '100.64.0.2', '169.254.3.4', 'fd00::1234', 'fe80::1'])
      expect(classifyAddress(anon.address(ip)), ip).toBe(classifyAddress(ip));
    expect(anon.address('127.0.0.1')).toBe('127.0.0.1');
  });

  it('a documentation address already in the text never collides with a mapped public one (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 40 }), (ips) => {
        const anon = createIpAnonymizer(KEY, { publicAs: 'documentation' });
        const candidates = [...ips, '203.0.113.1', '198.51.100.7'];
        const publicLike = candidates.filter((ip) => classifyAddress(ip) === 'public' || inDocumentationRange(ip));
        const mapped = publicLike.map((ip) => anon.address(ip));
        for (const ip of mapped) expect(inDocumentationRange(ip), ip).toBe(true);
        expect(new Set(mapped).size).toBe(new Set(publicLike).size);
      }),
      { numRuns: 300 },
    );
  });
});

describe('redactSnapshot', () => {
  it('drops token keys and scrubs literal secrets and token shapes, always', () => {
    const secret = 'Sup3r-Secret-Token-Value';
    const snapshot = makeSnapshot({
      'plextv.resources': ok({
        accessToken: secret,
        nested: [{ authToken: secret, note: `url?X-Plex-Token=${secret}` }],
        text: `token is ${secret}`,
      }),
    });
    const out = JSON.stringify(redactSnapshot(snapshot, { secrets: [secret] }));
    expect(out).not.toContain(secret);
    expect(out).not.toContain('accessToken');
  });

  it('anonymises addresses when asked, and records it', () => {
    const snapshot = makeSnapshot(
      { 'server.account': ok({ publicAddress: '84.1.1.2', privateAddress: '192.168.1.10' }) },
      { target: { url: 'http://192.168.1.10:32400' } },
    );
    const out = redactSnapshot(snapshot, { ips: true, key: KEY });
    const value = (out.observations['server.account'] as { value: { publicAddress: string; privateAddress: string } })
      .value;
    expect(value.publicAddress).not.toBe('84.1.1.2');
    expect(classifyAddress(value.publicAddress)).toBe('public');
    expect(out.target.url).toBe(`http://${value.privateAddress}:32400`);
    expect(out.redaction).toEqual({ token: true, ips: true });
    expect(redactSnapshot(snapshot).redaction.ips).toBe(false);
  });

  it('leaves non-string values alone', () => {
    expect(redactValue({ a: 1, b: true, c: null, d: ['x'] })).toEqual({ a: 1, b: true, c: null, d: ['x'] });
  });
});

describe('createIpAnonymizer on IPv6', () => {
  it('keeps the class of any IPv6 address (property)', () => {
    const anon = createIpAnonymizer(KEY);
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(classifyAddress(anon.address(ip))).toBe(classifyAddress(ip));
      }),
      { numRuns: 500 },
    );
  });
});
