/**
 * Small shape helpers for plex.tv payloads. plex.tv answers the same data as JSON (arrays, real booleans) or XML
 * (attributes as strings, child lists wrapped in an element: `<connections><connection/></connections>`); these
 * helpers let one zod schema accept both so the results are deep-equal.
 */

export type UnknownRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * For a preprocess step: XML decodes a document to `{ <root>: {...} }`, JSON is the object itself; either way, the
 * object.
 */
export function unwrapRoot(root: string): (value: unknown) => unknown {
  return (value) => (isRecord(value) && Object.keys(value).length === 1 && isRecord(value[root]) ? value[root] : value);
}

/**
 * A child list in any of its decoded forms → a flat array of items:
 * - JSON: `[a, b]`
 * - XML wrapper element: `{ connection: [a, b] }` (or a single `{ connection: a }`)
 * - XML wrapper decoded as an array of wrappers (the decoder's 'non-root' policy): `[{ connection: [a, b] }]`
 * - an empty wrapper element (`<connections/>` decodes to `""`) or nothing: `[]`
 */
export function unwrapList(value: unknown, tag: string): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) {
    return value.flatMap((item: unknown) =>
      isRecord(item) && tag in item && Object.keys(item).length === 1 ? unwrapList(item[tag], tag) : [item],
    );
  }
  if (isRecord(value)) {
    if (tag in value && Object.keys(value).length === 1) return unwrapList(value[tag], tag);
    return Object.keys(value).length === 0 ? [] : [value];
  }
  return [value];
}

/** The first item when XML gave a one-element array for what JSON gives as an object (`subscription`). */
export function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Drops keys whose value is `undefined`: JSON `null` and XML `""` both become "absent" in our schemas, and a result
 * that is stored in a snapshot (or compared with `toStrictEqual`) should not carry empty keys.
 */
export function withoutUndefined<T extends object>(value: T): T {
  const out: UnknownRecord = {};
  for (const [key, item] of Object.entries(value as UnknownRecord)) {
    if (item !== undefined) out[key] = item;
  }
  return out as T;
}

/**
 * `Omit` that keeps the named properties of a type with an index signature (zod's `looseObject` output): the
 * built-in `Omit` collapses such a type to its index signature.
 */
export type OmitKnown<T, K extends PropertyKey> = { [P in keyof T as P extends K ? never : P]: T[P] };

/** Removes the named keys (secrets) from a record, returning a copy. */
export function omitKeys<T extends object, K extends string>(value: T, keys: readonly K[]): OmitKnown<T, K> {
  const out: UnknownRecord = { ...(value as UnknownRecord) };
  for (const key of keys) delete out[key];
  return out as OmitKnown<T, K>;
}
