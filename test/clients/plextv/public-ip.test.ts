import { describe, expect, it } from 'vitest';
import { DecodeError, ResponseValidationError } from '../../../src/core/errors.js';
import { parsePublicIpBody } from '../../../src/clients/plextv/public-ip.js';

const parse = (text: string): string =>
  parsePublicIpBody(Buffer.from(text), { method: 'GET', url: 'https://plex.tv/:/ip' });

describe('parsePublicIpBody', () => {
  it('accepts IPv4 and IPv6, trimmed and canonical (IPv4-mapped unwrapped)', () => {
    expect(parse('203.0.113.7\n')).toBe('203.0.113.7');
    expect(parse(' 2001:DB8:0:0::1 ')).toBe('2001:db8::1');
    expect(parse('::ffff:198.51.100.4')).toBe('198.51.100.4');
  });

  it('calls a captive portal page an html DecodeError', () => {
    const error = (() => {
      try {
        parse('<!DOCTYPE html><html><head><title>Hotel WiFi</title></head><body>sign in</body></html>');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).reason).toBe('html');
  });

  it('rejects an empty body and junk', () => {
    expect(() => parse('   ')).toThrow(DecodeError);
    expect(() => parse('not an ip')).toThrow(ResponseValidationError);
    expect(() => parse('300.1.1.1')).toThrow(ResponseValidationError);
    expect(() => parse('{"ip":"1.2.3.4"}')).toThrow(ResponseValidationError);
  });
});
