import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeBody, excerpt } from '../../src/http/decode.js';
import { DecodeError } from '../../src/core/errors.js';

// Real captures, kept in the repository with their sources (docs/reference/plex-api.md lists where they come from).
const fixture = (dir: 'server' | 'plextv', name: string): string =>
  fileURLToPath(new URL(`../fixtures/${dir}/${name}`, import.meta.url));
const decode = (text: string): unknown => decodeBody(Buffer.from(text));
const reason = (text: string): string | undefined => {
  try {
    decode(text);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as DecodeError).reason;
  }
};

describe('decodeBody', () => {
  it('decodes XML to the same shape as Plex JSON: attributes as strings, child lists as arrays', () => {
    const xml = decode(
      '<?xml version="1.0"?><MediaContainer size="1"><Setting id="ManualPortMappingPort" type="int" value="32400"/></MediaContainer>',
    );
    const json = decode(
      '{"MediaContainer":{"size":1,"Setting":[{"id":"ManualPortMappingPort","type":"int","value":32400}]}}',
    );
    expect(xml).toEqual({
      MediaContainer: { size: '1', Setting: [{ id: 'ManualPortMappingPort', type: 'int', value: '32400' }] },
    });
    expect(Object.keys((json as { MediaContainer: object }).MediaContainer).sort()).toEqual(
      Object.keys((xml as { MediaContainer: object }).MediaContainer).sort(),
    );
  });

  it('keeps leading zeros and exponent-looking values as strings', () => {
    expect(decode('<MediaContainer version="1.40.0.7998" a="0123" b="1e5"/>')).toEqual({
      MediaContainer: { version: '1.40.0.7998', a: '0123', b: '1e5' },
    });
  });

  it('decodes entities in attributes and strips a BOM', () => {
    expect(
      decodeBody(Buffer.from('\uFEFF<MediaContainer friendlyName="Tom &amp; Jerry&apos;s &lt;Plex&gt;"/>')),
    ).toEqual({
      MediaContainer: { friendlyName: "Tom & Jerry's <Plex>" },
    });
  });

  it('names a captive portal as HTML, with its title', () => {
    const html =
      '<!DOCTYPE html><html><head><title>Hotel WiFi</title><meta charset="utf-8"></head><body><br></body></html>';
    expect(reason(html)).toBe('html');
    expect(() => decode(html)).toThrow(/Hotel WiFi/);
  });

  it('rejects malformed XML that fast-xml-parser alone would accept', () => {
    expect(reason('<MediaContainer size="1"><Setting id="x" value="1"></MediaContainer>')).toBe('malformed-xml');
    expect(reason('<MediaContainer size="1"><Setting id="x" val')).toBe('malformed-xml');
  });

  it('rejects malformed and truncated JSON', () => {
    expect(reason('{"MediaContainer":{"size":1,')).toBe('malformed-json');
  });

  it('rejects empty bodies, plain text and entity declarations', () => {
    expect(reason('')).toBe('empty');
    expect(reason('   \n')).toBe('empty');
    expect(reason('Unauthorized')).toBe('unexpected-content');
    expect(reason('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')).toBe('xml-entities');
  });

  it('decodes every real XML and JSON capture we have', () => {
    for (const [dir, name] of [
      ['server', 'identity-xml__plexopedia.xml'],
      ['server', 'root-xml__plexopedia-server-capabilities.xml'],
      ['server', 'prefs-json__plex-api-rs-server-prefs.json'],
      ['server', 'root-json-free__plex-api-rs-providers_free.json'],
      ['plextv', 'plextv-api-v2-resources__plex-api-rs.json'],
      ['plextv', 'plextv-pms-resources-xml__test-fixture-plex_cloud_resources.xml'],
    ] as const) {
      const decoded = decodeBody(readFileSync(fixture(dir, name)));
      expect(decoded, name).toBeTypeOf('object');
      expect(decoded, name).not.toBeNull();
    }
  });
});

describe('excerpt of a binary body (issue 15 item 7: a gzip bomb printed as a line of escaped NULs)', () => {
  it('describes binary data instead of quoting it, and says when it is gzip', () => {
    const gzipAsText = gzipSync(Buffer.alloc(4096, 0)).toString('utf8');
    expect(excerpt(gzipAsText)).toMatch(/^binary data \(\d+ characters, gzip-compressed\)$/);
    expect(excerpt('\u0000'.repeat(300))).toBe('binary data (300 characters)');
  });

  it('still quotes text, including text with a stray control character', () => {
    expect(excerpt('<html>not found</html>')).toBe('<html>not found</html>');
    expect(excerpt('Bad Gateway\u0007 from the proxy')).toBe('Bad Gateway\u0007 from the proxy');
  });

  it('a decode error of a gzip body carries no control characters (property over random binary)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 2048 }), (bytes) => {
        const text = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0]), Buffer.from(bytes)]).toString('utf8');
        expect(excerpt(text)).not.toMatch(/[\u0000-\u0008\u000e-\u001f]/);
      }),
      { numRuns: 200 },
    );
  });
});
