/**
 * The benchmarks led to three fast paths (bench/, docs/performance.md): literal secrets compiled once per redaction
 * walk, container ranges parsed once, and probed connections indexed per rule context. Each must give exactly what
 * the straightforward version gave; these properties compare them with that version, kept here as the reference.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProbedConnection } from '../../src/collect/values/connections.js';
import { createReader } from '../../src/collect/define-collector.js';
import { createTextRedactor, redactText } from '../../src/core/redact.js';
import { containerNetworkOf, isInCidr, type ContainerNetwork } from '../../src/core/net/address.js';
import { comparableUri, probedFor } from '../../src/rules/connection-facts.js';
import { ok, probedConnection } from '../../src/testing/observations.js';

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const token = fc.string({ unit: fc.constantFrom(...TOKEN_ALPHABET), minLength: 6, maxLength: 30 });

/** The straightforward version: every secret and its URL-encoded form, one after another. */
function referenceLiteralScrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('REDACTED');
  }
  return out;
}

describe('createTextRedactor', () => {
  it('removes every secret, plain and URL-encoded, wherever it sits (property)', () => {
    const nasty = fc.string({ unit: fc.constantFrom(...'.*+?^${}()|[]\\/&=%#"\'<> abc'), minLength: 6, maxLength: 24 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(token, nasty), { minLength: 1, maxLength: 3 }),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }),
        (secrets, fillers) => {
          const pieces = fillers.flatMap((filler, i) => [
            filler,
            i % 2 ? secrets[i % secrets.length]! : encodeURIComponent(secrets[i % secrets.length]!),
          ]);
          const text = [...pieces, ...secrets].join('');
          const out = createTextRedactor(secrets)(text);
          for (const secret of secrets) {
            expect(out).not.toContain(secret);
            expect(out).not.toContain(encodeURIComponent(secret));
          }
        },
      ),
    );
  });

  it('gives what one-secret-at-a-time scrubbing gives for one secret, on text without token shapes (property)', () => {
    const plain = fc.string({ unit: fc.constantFrom(...'abcdef0123 .,-_/'), maxLength: 40 });
    fc.assert(
      fc.property(token, fc.array(plain, { maxLength: 5 }), (secret, parts) => {
        const text = parts.join(secret);
        expect(createTextRedactor([secret])(text)).toBe(referenceLiteralScrub(text, [secret]));
        expect(redactText(text, [secret])).toBe(referenceLiteralScrub(text, [secret]));
      }),
    );
  });

  it('still scrubs every token shape, with or without secrets', () => {
    const shapes = [
      '?X-Plex-Token=abc123def',
      'X-Plex-Token: abc123def',
      '"authToken":"abc123def"',
      'accessToken="abc123def"',
      '<authentication-token>abc123def</authentication-token>',
    ];
    for (const shape of shapes) {
      expect(createTextRedactor([])(`see ${shape} here`)).not.toContain('abc123def');
      expect(createTextRedactor(['unrelated-secret'])(shape)).not.toContain('abc123def');
    }
  });
});

describe('containerNetworkOf', () => {
  const RANGES: [string, ContainerNetwork][] = [
    ['172.30.32.0/23', 'home-assistant'],
    ['172.30.33.0/24', 'home-assistant'],
    ['10.88.0.0/16', 'podman'],
    ['10.42.0.0/16', 'kubernetes'],
    ['10.43.0.0/16', 'kubernetes'],
    ['10.244.0.0/16', 'kubernetes'],
    ['172.17.0.0/16', 'docker'],
    ['172.16.0.0/12', 'docker'],
  ];
  const reference = (address: string): ContainerNetwork | undefined =>
    RANGES.find(([cidr]) => isInCidr(address, cidr))?.[1];
  const nearRanges = fc
    .tuple(
      fc.constantFrom(10, 172),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
    )
    .map((parts) => parts.join('.'));

  it('agrees with matching each range in turn, for any input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV4(),
          fc.ipV6(),
          nearRanges,
          fc.ipV4().map((ip) => `[${ip}]`),
          fc.string({ maxLength: 20 }),
        ),
        (input) => {
          expect(containerNetworkOf(input)).toBe(reference(input));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('probedFor', () => {
  it('finds what a linear search by comparable URI finds (property)', () => {
    const uri = fc.constantFrom(
      'http://10.0.0.1:32400',
      'HTTP://10.0.0.1:32400/',
      'https://a.example:443',
      'https://a.example',
      'http://[fe80::1]:32400',
      'not a url',
      'not a url/',
    );
    fc.assert(
      fc.property(fc.array(uri, { maxLength: 8 }), uri, (uris, wanted) => {
        const connections: ProbedConnection[] = uris.map((u, i) => ({
          ...probedConnection({ address: '10.0.0.1', uri: 'http://10.0.0.1:32400' }),
          uri: u,
          port: 1000 + i,
        }));
        const ctx = createReader({ 'probe.connections': ok({ connections }) });
        const linear = connections.find((c) => comparableUri(c.uri) === comparableUri(wanted));
        expect(probedFor(ctx, wanted)).toBe(linear);
        // A second lookup on the same context (the index) agrees too.
        expect(probedFor(ctx, wanted)).toBe(linear);
      }),
    );
  });

  it('sees a new list on the same reader (an index never goes stale)', () => {
    const observations: Record<string, ReturnType<typeof ok>> = {};
    const ctx = createReader(observations);
    expect(probedFor(ctx, 'http://10.0.0.1:32400')).toBeUndefined();
    const connection = probedConnection({ address: '10.0.0.1', uri: 'http://10.0.0.1:32400' });
    observations['probe.connections'] = ok({ connections: [connection] });
    expect(probedFor(ctx, 'http://10.0.0.1:32400/')).toBe(connection);
  });
});
