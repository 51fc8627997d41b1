import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  dropSecretKeys,
  isSecretKey,
  normalizeLooseFields,
  plexObject,
  toXmlForm,
} from '../../src/http/plex-object.js';
import { plexBoolOpt } from '../../src/http/plex-values.js';

describe('isSecretKey', () => {
  it.each(['authToken', 'accessToken', 'token', 'PlexOnlineToken', 'X-Plex-Token', 'authentication-token', 'TOKEN'])(
    '%s is secret',
    (key) => {
      expect(isSecretKey(key)).toBe(true);
    },
  );
  it.each(['tokenExpiry', 'LogTokensForDebug', 'username', 'publicAddress'])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('dropSecretKeys', () => {
  it('removes token keys at every depth, in arrays too, without touching the input', () => {
    const input = { a: 1, authToken: 'x', list: [{ accessToken: 'y', b: 2 }], deep: { deeper: { token: 'z', c: 3 } } };
    expect(dropSecretKeys(input)).toEqual({ a: 1, list: [{ b: 2 }], deep: { deeper: { c: 3 } } });
    expect(input.authToken).toBe('x');
  });
});

describe('toXmlForm', () => {
  it('writes scalars the way PMS XML does', () => {
    expect(toXmlForm({ t: true, f: false, n: 7, s: 'x', nul: null, list: [1, { b: true }] })).toEqual({
      t: '1',
      f: '0',
      n: '7',
      s: 'x',
      list: ['1', { b: '1' }],
    });
  });
});

describe('plexObject', () => {
  const Schema = plexObject({ flag: plexBoolOpt });

  it('types known fields, keeps unknown ones in XML form, drops secrets', () => {
    expect(Schema.parse({ flag: true, extra: 5, authToken: 'secret' })).toEqual({ flag: true, extra: '5' });
    expect(Schema.parse({ flag: '1', extra: '5' })).toEqual({ flag: true, extra: '5' });
  });

  it('is idempotent, and JSON and XML forms of any flat object agree (property)', () => {
    const scalar = fc.oneof(fc.boolean(), fc.integer(), fc.string());
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'),
          scalar,
        ),
        (json) => {
          const fromJson = Schema.parse(json);
          const fromXml = Schema.parse(toXmlForm(json));
          expect(fromXml).toEqual(fromJson);
          expect(Schema.parse(fromJson)).toEqual(fromJson);
          expect(Object.keys(fromJson).some(isSecretKey)).toBe(false);
        },
      ),
    );
  });

  it('leaves non-objects to the schema to reject', () => {
    expect(normalizeLooseFields('x', new Set())).toBe('x');
    expect(z.safeParse(Schema, 'x').success).toBe(false);
  });
});
