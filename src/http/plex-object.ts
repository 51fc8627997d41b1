/**
 * Loose Plex objects that are safe to keep in a snapshot.
 *
 * Plex adds attributes between releases, so our schemas are loose (`z.looseObject`): unknown fields pass through.
 * Two things must still hold for everything that passes through:
 * 1. No credential survives. `/myplex/account` carries the server's `authToken`, plex.tv resources carry
 *    `accessToken`, and nothing stops a future release from adding another. Any key *named* like a token is dropped,
 *    at every depth, before the schema sees the object.
 * 2. XML and JSON of the same server state give deep-equal objects. In XML every attribute is a string
 *    (`allowSync="1"`, `livetv="7"`), in JSON the same attribute is `true` or `7` — and nothing but the schema can tell
 *    a boolean from a number there (`offlineTranscode: 1` is a number in the plex-api.rs capture, `allowSync: true` a
 *    boolean; both are `"1"` in XML). So the fields we model are typed by their schema, and the fields we merely keep
 *    are kept in their XML form: strings, booleans as "1"/"0" (docs/reference/plex-api.md §0).
 */
import { z } from 'zod';

/** Key names that hold a credential: authToken, accessToken, token, PlexOnlineToken, X-Plex-Token, authentication-token... */
const SECRET_KEY = /token$/i;

/** True for an object key that names a credential and must not be kept. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of `value` without any key named like a token (see `isSecretKey`). Non-objects are returned as is. */
export function dropSecretKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => dropSecretKeys(item)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isSecretKey(key)) continue;
    out[key] = dropSecretKeys(item);
  }
  return out as T;
}

/**
 * The XML form of a JSON value we do not model: scalars become strings (booleans "1"/"0", as PMS writes them),
 * objects and arrays keep their structure with their scalars converted. `null`/`undefined` become `undefined`.
 */
export function toXmlForm(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toXmlForm).filter((item) => item !== undefined);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const converted = toXmlForm(item);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  return undefined;
}

/**
 * Drops secret keys (deep) and converts every field that is not in `knownKeys` to its XML form. Known fields are left
 * to their schemas. Idempotent, so a snapshot re-parsed on load gives the same object.
 */
export function normalizeLooseFields(value: unknown, knownKeys: ReadonlySet<string>): unknown {
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isSecretKey(key)) continue;
    if (knownKeys.has(key)) {
      out[key] = dropSecretKeys(item);
      continue;
    }
    const converted = toXmlForm(dropSecretKeys(item));
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

/**
 * `z.looseObject(shape)` for Plex data: unknown fields are kept (in XML form, see above) and no key named like a
 * token gets through, at any depth. Use it for every loose Plex object.
 */
export function plexObject<const Shape extends z.ZodRawShape>(shape: Shape) {
  const known = new Set(Object.keys(shape));
  return z.preprocess((value) => normalizeLooseFields(value, known), z.looseObject(shape));
}
