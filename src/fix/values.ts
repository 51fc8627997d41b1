/**
 * Pref values as the fix module compares them. PMS lists a bool pref as `true` (JSON) or "1" (XML) and takes "1"/"0"
 * in `PUT /:/prefs`; an int pref as 32400 or "32400" (docs/reference/plex-api.md §0, §4). Comparing by the pref's own
 * `type` is what makes "1" and true, or "32400" and 32400, the same value, so a fix is never re-applied or journalled
 * as a change.
 */
import { z } from 'zod';
import type { PrefSetting } from '../clients/server/schemas/prefs.js';

/** A pref value as the server reports it or as `setPrefs` takes it. */
export const FixPrefValue = z.union([z.string(), z.number(), z.boolean()]);
export type FixPrefValue = z.infer<typeof FixPrefValue>;

/**
 * `value` typed as the pref's `type` wants it (bool → boolean, int/double → number, text → string), or `undefined`
 * when it does not fit (e.g. "abc" for an int). Prefs of a type we do not know keep the value as given.
 */
export function typedForPref(type: string | undefined, value: FixPrefValue): FixPrefValue | undefined {
  const text = String(value).trim();
  switch (type) {
    case 'bool':
      if (value === true || value === 1 || /^(1|true)$/i.test(text)) return true;
      if (value === false || value === 0 || /^(0|false)$/i.test(text)) return false;
      return undefined;
    case 'int':
      if (typeof value === 'boolean') return undefined;
      return /^-?\d+$/.test(text) ? Number(text) : undefined;
    case 'double':
      if (typeof value === 'boolean' || text === '') return undefined;
      return Number.isFinite(Number(text)) ? Number(text) : undefined;
    case 'text':
      return typeof value === 'boolean' ? undefined : String(value);
    default:
      return value;
  }
}

/** One canonical string per value of a type, the form PMS stores ("1"/"0" for booleans). */
function canonical(type: string | undefined, value: FixPrefValue): string {
  const typed = typedForPref(type, value) ?? value;
  if (typeof typed === 'boolean') return typed ? '1' : '0';
  return String(typed);
}

/** Whether two values are the same for a pref of this type ("1" and true for a bool, "32400" and 32400 for an int). */
export function samePrefValue(
  type: string | undefined,
  a: FixPrefValue | undefined,
  b: FixPrefValue | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonical(type, a) === canonical(type, b);
}

/** The value a setting currently has: its `value`, else its `default` (PMS lists both; `value` wins). */
export function currentPrefValue(setting: PrefSetting): FixPrefValue | undefined {
  return setting.value ?? setting.default;
}
