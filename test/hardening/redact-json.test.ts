/**
 * The CLI scrubs every line it writes, JSON included (`--json`, `collect`'s snapshot): so text redaction run over JSON
 * text must leave valid JSON, and the token must be gone from it, plain or JSON-escaped. Found by the token-leak
 * property: a token shape inside a JSON string (`?X-Plex-Token=\"...`) had its escaping backslash eaten.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTextRedactor, redactText } from '../../src/core/redact.js';

const PLEX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const secret = fc
  .string({ unit: fc.constantFrom(...`${PLEX_ALPHABET}."'\\\\/=&%<>{}[]`), minLength: 8, maxLength: 24 })
  .filter((s) => /[a-z0-9]{3}/i.test(s));
const NAMES = ['X-Plex-Token', 'authToken', 'accessToken', 'token', 'authentication-token'];

/** Strings that hold token shapes around a secret, the way error messages, URLs and bodies do. */
const shaped = (value: string) =>
  fc.constantFrom(
    `http://10.0.0.1:32400/?X-Plex-Token=${value}`,
    `http://10.0.0.1:32400/?X-Plex-Token=${encodeURIComponent(value)}&a=1`,
    `X-Plex-Token: ${value}`,
    `<Device accessToken="${value}" name="x"/>`,
    `<Device authToken='${value}'/>`,
    `{"authToken":"${value}"}`,
    `{"authToken":${JSON.stringify(value)}}`,
    `<authentication-token>${value}</authentication-token>`,
    `token=${value}`,
    `plain ${value} text`,
  );

const document = (value: string) =>
  fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      shaped(value),
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 6 })), tie('node'), { maxKeys: 4 }),
    ),
  })).node;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
  return [];
}

describe('redacting JSON text', () => {
  it('keeps it valid JSON and removes the secret in every form (property)', () => {
    fc.assert(
      fc.property(
        secret.chain((value) => fc.tuple(fc.constant(value), document(value), fc.constantFrom(0, 2))),
        ([value, doc, indent]) => {
          const text = JSON.stringify(doc, null, indent);
          const redacted = createTextRedactor([value])(text);
          const parsed = JSON.parse(redacted) as unknown;
          for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])
            expect(redacted).not.toContain(form);
          for (const item of strings(parsed)) expect(item).not.toContain(value);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('leaves the quote style of an XML attribute as it was', () => {
    expect(redactText(`<D authToken='abc123def'/>`)).toBe(`<D authToken='REDACTED'/>`);
    expect(redactText(`<D authToken="abc123def"/>`)).toBe(`<D authToken="REDACTED"/>`);
  });

  it('scrubs a known secret whole before any shape pattern can cut it in two', () => {
    const secret = "'aa.bb.cc'dd";
    for (const text of [`?X-Plex-Token=${secret}`, `<D authToken=${secret}/>`, `X-Plex-Token: ${secret}`]) {
      const out = createTextRedactor([secret])(text);
      expect(out).not.toMatch(/aa|bb|cc|dd/);
    }
  });
});
