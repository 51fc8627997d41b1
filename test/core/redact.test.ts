import { describe, expect, it } from 'vitest';
import { redactText, redactUrl, redactHeaders, sanitizeCause } from '../../src/core/redact.js';

const TOKEN = 'AbCdEf-123456_token';

describe('redaction', () => {
  it('scrubs token query parameters, whatever their case or position', () => {
    expect(redactUrl(`http://h:32400/x?X-Plex-Token=${TOKEN}&a=1`)).toBe('http://h:32400/x?X-Plex-Token=REDACTED&a=1');
    expect(redactUrl(`http://h/x?a=1&x-plex-token=${TOKEN}`)).toBe('http://h/x?a=1&x-plex-token=REDACTED');
    expect(redactUrl(`http://h/myplex/claim?token=claim-${TOKEN}`)).toBe('http://h/myplex/claim?token=REDACTED');
  });

  it('scrubs headers, JSON fields, XML attributes and the authentication-token element', () => {
    const text = [
      `X-Plex-Token: ${TOKEN}`,
      `{"authToken":"${TOKEN}","accessToken": "${TOKEN}"}`,
      `<MyPlex authToken="${TOKEN}" username="u"/>`,
      `<authentication-token>${TOKEN}</authentication-token>`,
    ].join('\n');
    expect(redactText(text)).not.toContain(TOKEN);
    expect(redactText(text)).toContain('username="u"');
  });

  it('scrubs literal secrets, plain and URL-encoded, but not short strings', () => {
    const secret = 'a/b+c=d-long-secret';
    expect(redactText(`x ${secret} y ${encodeURIComponent(secret)}`, [secret])).toBe('x REDACTED y REDACTED');
    expect(redactText('abc is fine', ['abc'])).toBe('abc is fine');
  });

  it('redacts the token header only', () => {
    expect(redactHeaders({ 'X-Plex-Token': TOKEN, Accept: 'application/json' })).toEqual({
      'X-Plex-Token': 'REDACTED',
      Accept: 'application/json',
    });
  });

  it('copies cause chains without the secret, keeping codes', () => {
    const inner = Object.assign(new Error(`connect to ?X-Plex-Token=${TOKEN} failed`), {
      code: 'ECONNREFUSED',
      extra: TOKEN,
    });
    const outer = new Error(`wrapped ${TOKEN}`, { cause: new AggregateError([inner], 'all failed') });
    const copy = sanitizeCause(outer, [TOKEN]) as Error & { cause: AggregateError & { errors: Error[] } };
    expect(copy).not.toBe(outer);
    expect(copy.message).toBe('wrapped REDACTED');
    expect(copy.cause.errors[0]!.message).not.toContain(TOKEN);
    expect((copy.cause.errors[0] as Error & { code: string }).code).toBe('ECONNREFUSED');
    expect(JSON.stringify(copy, Object.getOwnPropertyNames(copy))).not.toContain(TOKEN);
    expect(sanitizeCause(`plain ${TOKEN}`, [TOKEN])).toBe('plain REDACTED');
  });
});

describe('redaction of token assignments in free text', () => {
  it('scrubs X-Plex-Token=value at the start of text or after a space', () => {
    expect(redactText(`X-Plex-Token=${TOKEN}`)).toBe('X-Plex-Token=REDACTED');
    expect(redactText(`curl with X-Plex-Token=${TOKEN} failed`)).toBe('curl with X-Plex-Token=REDACTED failed');
    expect(redactText(`(token=${TOKEN})`)).toBe('(token=REDACTED)');
    expect(redactText('mytoken=abc stays')).toBe('mytoken=abc stays');
  });
});
