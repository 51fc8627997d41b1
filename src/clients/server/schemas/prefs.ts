/**
 * `GET /:/prefs` and `GET /:/prefs/get?id=`: `<Setting id label summary type default value hidden advanced group
 * enumValues/>` elements (docs/reference/plex-api.md §4; capture prefs-json__plex-api-rs-server-prefs.json, 155
 * settings).
 *
 * `value` and `default` are typed by the setting's own `type`: a `bool` pref is `true` in JSON and "1"/"0" or
 * "true"/"false" in XML, an `int` is `32400` or "32400". Typing them here is what makes XML and JSON of one server
 * parse to the same object. Settings of a type we do not know keep their raw value. A text pref's "" is kept as ""
 * (not made absent): it is the stored value, and the fix module must be able to restore it exactly.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../../core/util/lazy-schema.js';
import { normalizeLooseFields } from '../../../http/plex-object.js';
import { plexBoolOpt, plexEnumOpt, plexString, plexStringOpt } from '../../../http/plex-values.js';

export const PREF_TYPES = ['bool', 'int', 'double', 'text'] as const;

/** What a redacted secret setting value is replaced with. */
export const REDACTED_PREF_VALUE = 'REDACTED';

/**
 * Settings whose value is a secret: anything named like a token (`PlexOnlineToken` lives in Preferences.xml and must
 * never leak if a release lists it) and the custom certificate's PKCS #12 passphrase.
 */
export function isSecretPref(id: string): boolean {
  return /token$/i.test(id) || id === 'customCertificateKey';
}

const PrefValue = lazySchema(() => z.union([z.string(), z.number(), z.boolean()]));
export type PrefValue = z.infer<typeof PrefValue>;

const SETTING_KEYS = new Set([
  'id',
  'label',
  'summary',
  'type',
  'default',
  'value',
  'hidden',
  'advanced',
  'group',
  'enumValues',
]);

/** Types one raw value by the setting's `type`; values that do not fit the type are kept raw. */
export function typedPrefValue(raw: unknown, type: string | undefined): PrefValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return undefined;
  switch (type) {
    case 'bool':
      if (raw === true || raw === 1 || raw === '1' || raw === 'true' || raw === 'True') return true;
      if (raw === false || raw === 0 || raw === '0' || raw === 'false' || raw === 'False') return false;
      return raw;
    case 'int':
    case 'double':
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) return Number(raw);
      return raw;
    case 'text':
      return typeof raw === 'string' ? raw : String(raw);
    default:
      return raw;
  }
}

function normalizeSetting(data: unknown): unknown {
  const setting = normalizeLooseFields(data, SETTING_KEYS);
  if (typeof setting !== 'object' || setting === null || Array.isArray(setting)) return setting;
  const out = setting as Record<string, unknown>;
  const type = typeof out.type === 'string' ? out.type : undefined;
  const secret = typeof out.id === 'string' && isSecretPref(out.id);
  for (const key of ['value', 'default'] as const) {
    if (!(key in out)) continue;
    const typed = typedPrefValue(out[key], type);
    if (typed === undefined) delete out[key];
    else out[key] = secret && typed !== '' ? REDACTED_PREF_VALUE : typed;
  }
  return out;
}

export const PrefSetting = lazySchema(() =>
  z.preprocess(
    normalizeSetting,
    z.looseObject({
      id: plexString,
      label: plexStringOpt,
      summary: plexStringOpt,
      type: plexEnumOpt(PREF_TYPES),
      default: PrefValue.optional(),
      value: PrefValue.optional(),
      hidden: plexBoolOpt,
      advanced: plexBoolOpt,
      group: plexStringOpt,
      /** `|`-separated `value:label` pairs, e.g. `0:Required|1:Preferred|2:Disabled`; see `parseEnumValues`. */
      enumValues: plexStringOpt,
    }),
  ),
);
export type PrefSetting = z.infer<typeof PrefSetting>;

export const PrefsResponse = lazySchema(() =>
  z.object({
    MediaContainer: z.object({ Setting: z.array(realSchema(PrefSetting)).default([]) }),
  }),
);

export interface PrefEnumValue {
  value: string;
  label: string;
}

/**
 * `0:Required|1:Preferred` → `[{ value: '0', label: 'Required' }, …]`. The value may be empty (`:Any` in
 * PreferredNetworkInterface) and the label may contain colons (`eth0:eth0 (172.18.0.19)`): split on the first one.
 */
export function parseEnumValues(enumValues: string | undefined): PrefEnumValue[] {
  if (!enumValues) return [];
  return enumValues.split('|').map((pair) => {
    const colon = pair.indexOf(':');
    return colon < 0 ? { value: pair, label: pair } : { value: pair.slice(0, colon), label: pair.slice(colon + 1) };
  });
}
