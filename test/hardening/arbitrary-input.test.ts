/**
 * Whatever bytes a broken network or a hand-edited file hands us, every parser ends in a typed error or a result:
 * never another exception (a TypeError from a shape we did not expect, a RangeError from a deep document). The SSDP,
 * NAT-PMP, GDM and SOAP parsers have their own "never throws" properties in test/probes; here they are run once more
 * over the full Unicode range and larger inputs, which those do not generate.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, ResponseValidationError, UsageError } from '../../src/core/errors.js';
import { decodeBody } from '../../src/http/decode.js';
import { parsePlexDirectName, plexDirectHostname } from '../../src/core/net/plex-direct.js';
import { parsePublicIpBody } from '../../src/clients/plextv/public-ip.js';
import { parseGdmReply } from '../../src/probes/gdm.js';
import { describeBody } from '../../src/probes/identity/body.js';
import { parseNatPmpResponse } from '../../src/probes/natpmp/packet.js';
import { ProbeFailure } from '../../src/probes/types.js';
import { parseHostPort } from '../../src/probes/udp.js';
import { parseDeviceDescription } from '../../src/probes/upnp/description.js';
import { parseSoapResponse } from '../../src/probes/upnp/soap.js';
import { parseSsdpReply } from '../../src/probes/upnp/ssdp.js';
import { createIpAnonymizer } from '../../src/core/anonymize-ips.js';
import { redactValue } from '../../src/core/redact-values.js';
import { parseEnumValues } from '../../src/clients/server/schemas/prefs.js';
import { parseDuration } from '../../src/watch/interval.js';

/** Runs `parse` and returns what came out; any throw that `allowed` does not accept fails the property. */
function outcome<T>(parse: () => T, allowed: (error: unknown) => boolean): { value: T } | { error: unknown } {
  try {
    return { value: parse() };
  } catch (error) {
    if (!allowed(error))
      throw new Error(`untyped exception: ${String((error as Error)?.stack ?? error)}`, { cause: error });
    return { error };
  }
}

const DECODE_REASONS = new Set([
  'empty',
  'html',
  'malformed-xml',
  'malformed-json',
  'unexpected-content',
  'xml-entities',
  'xml-too-complex',
]);
const isDecodeError = (error: unknown): boolean => error instanceof DecodeError && DECODE_REASONS.has(error.reason);

const XML_FRAGMENTS = [
  '<?xml version="1.0"?>',
  '<MediaContainer',
  ' size="1"',
  '>',
  '/>',
  '</MediaContainer>',
  '<Setting id="a" value="1"/>',
  '<Setting',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE x>',
  '<!ENTITY a "b">',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '&bogus;',
  '"',
  "'",
  '=',
  '<a:b xmlns:a="u">',
  '</a:b>',
  '<html>',
  '<root>',
  '<device>',
  '<serviceList>',
  '<service>',
  '<controlURL>',
  '</controlURL>',
  '</service>',
  '</root>',
  '\u0000',
  '\uFFFF',
  '😀',
];
const JSON_FRAGMENTS = [
  '{',
  '}',
  '[',
  ']',
  '"MediaContainer"',
  ':',
  ',',
  '"a"',
  '1e999',
  '-0',
  'null',
  'true',
  '"\\u0000"',
  '"\\ud800"',
  '{"__proto__":{"x":1}}',
  '"constructor"',
];
const soup = (fragments: string[]) =>
  fc
    .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })), { maxLength: 40 })
    .map((parts) => parts.join(''));
/** Bodies of every kind: raw bytes, any Unicode text, XML and JSON shaped junk. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 2000 }).map((text) => Buffer.from(text)),
  soup(XML_FRAGMENTS).map((text) => Buffer.from(text)),
  soup(JSON_FRAGMENTS).map((text) => Buffer.from(text)),
);

describe('decodeBody', () => {
  it('decodes or throws a DecodeError with a known reason, for any body and array policy (property)', () => {
    fc.assert(
      fc.property(
        body,
        fc.constantFrom<Parameters<typeof decodeBody>[1]>(
          {},
          { xmlArrays: 'non-root' },
          { xmlArrays: new Set(['device', 'service']) },
        ),
        (bytes, options) => {
          outcome(() => decodeBody(bytes, options), isDecodeError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives back exactly what JSON.parse gives for any JSON object or array (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue())), (value) => {
        const text = JSON.stringify(value);
        expect(decodeBody(Buffer.from(`\uFEFF  ${text}\n`))).toEqual(JSON.parse(text));
      }),
    );
  });

  it('survives documents nested 100,000 deep and entity bombs (typed error or a result, in bounded time)', () => {
    const deepXml = `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`;
    const deepJson = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const bomb = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><l>&c;&c;&c;</l>`;
    for (const text of [deepXml, deepJson, bomb, `<MediaContainer ${'a="1" '.repeat(50_000)}/>`]) {
      outcome(() => decodeBody(Buffer.from(text)), isDecodeError);
    }
    expect(() => decodeBody(Buffer.from(bomb))).toThrow(expect.objectContaining({ reason: 'xml-entities' }));
  });
});

describe('the other body and text parsers', () => {
  it('UPnP device description: a description or a ProbeFailure (property)', () => {
    fc.assert(
      fc.property(
        body,
        fc.constantFrom('http://192.168.1.1:5000/rootDesc.xml', 'http://[fe80::1]:1900/d.xml', 'not a url'),
        (bytes, location) => {
          const result = outcome(
            () => parseDeviceDescription(bytes, location),
            (e) => e instanceof ProbeFailure && e.detail.code === 'EBADRESPONSE',
          );
          if ('value' in result)
            for (const service of result.value.services) expect(() => new URL(service.controlUrl)).not.toThrow();
        },
      ),
      { numRuns: 400 },
    );
  });

  it('/identity body description, public IP body, pref enum values: never throw beyond their typed errors (property)', () => {
    fc.assert(
      fc.property(
        body,
        fc.integer({ min: 0, max: 999 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        (bytes, status, contentType) => {
          outcome(
            () => describeBody(status, bytes, contentType),
            () => false,
          );
          const ip = outcome(
            () => parsePublicIpBody(bytes),
            (e) => isDecodeError(e) || e instanceof ResponseValidationError,
          );
          if ('value' in ip) expect(ip.value).toMatch(/^[0-9a-f.:]+$/i);
          outcome(
            () => parseEnumValues(bytes.toString('utf8')),
            () => false,
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('host:port options and durations: a value, undefined or a UsageError (property)', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      soup([
        '[',
        ']',
        ':',
        '::1',
        '127.0.0.1',
        '65535',
        '65536',
        '0',
        '-1',
        '1e3',
        ' ',
        's',
        'ms',
        'm',
        'h',
        'd',
        '.5',
        'Infinity',
        'NaN',
      ]),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 65535 }), (input, defaultPort) => {
        const parsed = parseHostPort(input, defaultPort);
        if (parsed) {
          expect(parsed.address).not.toBe('');
          expect(Number.isInteger(parsed.port) && parsed.port >= 1 && parsed.port <= 65535).toBe(true);
        }
        const duration = outcome(
          () => parseDuration(input),
          (e) => e instanceof UsageError,
        );
        if ('value' in duration) expect(Number.isFinite(duration.value) && duration.value > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('SSDP, GDM, SOAP and NAT-PMP parsers over any Unicode text and large inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 3000 }),
          fc.uint8Array({ minLength: 2000, maxLength: 70_000 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        (text) => {
          outcome(
            () => parseSsdpReply(text),
            () => false,
          );
          outcome(
            () => parseGdmReply(text),
            () => false,
          );
          outcome(
            () => parseSoapResponse(text, 'GetExternalIPAddress'),
            () => false,
          );
          outcome(
            () => parseNatPmpResponse(Buffer.from(text, 'latin1')),
            () => false,
          );
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('plex.direct names', () => {
  const hash = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 });
  const labelSoup = soup([
    '-',
    '.',
    '192',
    '168',
    '1',
    '10',
    '0',
    '255',
    '256',
    'ffff',
    '::',
    '--',
    'plex',
    'direct',
    '.plex.direct',
    'https://',
    ':32400',
    '/',
    '[',
    ']',
    'A',
    '%',
  ]);

  it('any text: a name whose address is a valid IP, or undefined (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          labelSoup,
          labelSoup.map((t) => `${t}.plex.direct`),
          labelSoup.map((t) => `https://${t}.0123456789abcdef0123456789abcdef.plex.direct:32400/`),
        ),
        (input) => {
          const parsed = outcome(
            () => parsePlexDirectName(input),
            () => false,
          );
          if ('value' in parsed && parsed.value) {
            expect(parsed.value.hostname.endsWith('.plex.direct')).toBe(true);
            expect(
              parsed.value.family === 4
                ? /^\d+\.\d+\.\d+\.\d+$/.test(parsed.value.address)
                : parsed.value.address.includes(':'),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round-trips every IPv4 and IPv6 address through plexDirectHostname (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), hash, (address, digest) => {
        const name = plexDirectHostname(address, digest);
        const parsed = parsePlexDirectName(`https://${name}:32400`);
        expect(parsed?.hash).toBe(digest);
        expect(parsed && plexDirectHostname(parsed.address, digest)).toBe(name);
      }),
    );
  });
});

describe('the IP anonymiser', () => {
  const key = Buffer.alloc(32, 7);
  const textWithAddresses = fc
    .array(
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.ipV4(),
        fc.ipV6(),
        fc.ipV4().map((ip) => `${ip.replace(/\./g, '-')}.0123456789abcdef0123456789abcdef.plex.direct`),
        fc.constantFrom(':', '.', '-', '::', '[', ']'),
      ),
      { maxLength: 20 },
    )
    .map((parts) => parts.join(''));

  it('any text and any JSON: never throws, and the same key gives the same output (property)', () => {
    fc.assert(
      fc.property(textWithAddresses, fc.jsonValue(), (text, json) => {
        const first = createIpAnonymizer(key);
        const out = first.text(text);
        expect(createIpAnonymizer(key).text(text)).toBe(out);
        outcome(
          () => first.address(text),
          () => false,
        );
        outcome(
          () => redactValue(json, { ips: true, key, secrets: ['secret-token-value'] }),
          () => false,
        );
      }),
      { numRuns: 400 },
    );
  });

  it('a public IPv4 address inside any text does not survive (property)', () => {
    fc.assert(
      fc.property(
        fc.ipV4().filter((ip) => /^(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])\./.test(ip)),
        fc.string({ unit: fc.constantFrom(...'ab ,;()/='), maxLength: 8 }),
        (ip, around) => {
          const anonymizer = createIpAnonymizer(key);
          const mapped = anonymizer.address(ip);
          // Only addresses the anonymiser treats as identifying (public unicast) must change.
          fc.pre(mapped !== ip);
          expect(anonymizer.text(`${around}${ip}${around}`)).not.toContain(ip);
        },
      ),
      { numRuns: 500 },
    );
  });
});
