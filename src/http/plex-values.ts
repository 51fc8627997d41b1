/**
 * Zod building blocks for Plex's value quirks, so schemas (not call sites) absorb them:
 * - XML attributes are strings ("1"/"0", "32400"); JSON has real booleans and numbers. Both must parse the same.
 * - Empty strings mean "absent" (python-plexapi saw `publicAddress=""` when mapping failed).
 * - Enumerations grow (a new mappingError): unknown values are kept as strings, never rejected.
 * - Optional values that fail to parse become absent instead of failing the whole response: a diagnoser must
 *   keep going on a server that answers something slightly unexpected.
 */
import { z } from 'zod';

const absent = (value: unknown): boolean => value === '' || value === null || value === undefined;

function toBoolean(value: unknown): unknown {
  if (absent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true' || value === 'True') return true;
  if (value === 0 || value === '0' || value === 'false' || value === 'False') return false;
  return value;
}

function toNumber(value: unknown): unknown {
  if (absent(value)) return undefined;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return value;
}

function toText(value: unknown): unknown {
  if (absent(value)) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

/** Required boolean: `true`, `"1"`, `1`, `"true"` → true. */
export const plexBool = z.preprocess(toBoolean, z.boolean());
/** Optional boolean; unparsable values become absent. */
export const plexBoolOpt = z.preprocess(toBoolean, z.boolean().optional()).catch(undefined);

/** Required number from a number or numeric string. */
export const plexNumber = z.preprocess(toNumber, z.number());
/** Optional number; "" and unparsable values become absent. */
export const plexNumberOpt = z.preprocess(toNumber, z.number().optional()).catch(undefined);

/** Required non-empty string (numbers are stringified). */
export const plexString = z.preprocess(toText, z.string().min(1));
/** Optional string; "" becomes absent. */
export const plexStringOpt = z.preprocess(toText, z.string().optional()).catch(undefined);

/**
 * An enumeration that tolerates values we have not seen yet: the known ones are typed, the rest kept verbatim.
 * `(string & {})` keeps editor completion for the known values.
 */
export function plexEnumOpt<const T extends readonly string[]>(_known: T) {
  return z.preprocess(toText, z.string().optional()).catch(undefined) as unknown as z.ZodType<
    T[number] | (string & {}) | undefined
  >;
}

/** A comma-separated list ("a, b,c") or an array → trimmed non-empty strings. */
export const plexList = z
  .preprocess((value) => {
    if (absent(value)) return [];
    if (Array.isArray(value)) return value.map(String);
    return String(value)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
  }, z.array(z.string()))
  .catch([]);

/** A time as an ISO-8601 string, from epoch seconds (legacy XML) or an ISO string (v2 JSON). */
export const plexDateOpt = z
  .preprocess((value) => {
    if (absent(value)) return undefined;
    const numeric = toNumber(value);
    // An epoch far outside Date's range is an Invalid Date, whose toISOString() throws: untrusted input, no date.
    const parsed = typeof numeric === 'number' ? new Date(numeric * 1000) : new Date(String(value));
    return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
  }, z.string().optional())
  .catch(undefined);
