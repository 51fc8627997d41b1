// The Plex Media Server client and the zod schemas of what it returns. Envelope schemas (IdentityResponse, ...)
// and the value helpers stay internal.
export { createServerClient, normalizeServerBaseUrl } from './client.js';
export type { ServerClient, ServerClientOptions, ServerCallOptions, PrefInput } from './client.js';
export { ServerIdentity } from './schemas/identity.js';
export { ServerRoot, MAPPING_STATES, MAPPING_ERRORS, SIGNIN_STATES } from './schemas/root.js';
export { MyPlexAccount } from './schemas/account.js';
export { PrefSetting, PREF_TYPES, REDACTED_PREF_VALUE, isSecretPref, parseEnumValues } from './schemas/prefs.js';
export type { PrefValue, PrefEnumValue } from './schemas/prefs.js';
export {
  NetworkPrefs,
  ServerPrefs,
  NETWORK_PREF_KINDS,
  SECURE_CONNECTIONS_LABELS,
  networkPrefsFrom,
} from './schemas/network-prefs.js';
export type { NetworkPrefId, SecureConnectionsLabel } from './schemas/network-prefs.js';
