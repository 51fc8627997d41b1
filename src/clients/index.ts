// `plex-diagnose/clients`: the Plex Media Server and plex.tv clients, the zod schemas of what they return, the value
// sets Plex uses (mapping states, pref ids, ...) and the bounded HTTP transport under both. They throw the error
// classes exported by the root entry (`HttpError`, `AuthError`, ... with a stable `code`). Every export is named.

// The Plex Media Server client and its schemas. Envelope schemas (IdentityResponse, ...) stay internal.
export { createServerClient, normalizeServerBaseUrl } from './server/client.js';
export type { ServerClient, ServerClientOptions, ServerCallOptions, PrefInput } from './server/client.js';
export { ServerIdentity } from './server/schemas/identity.js';
export { ServerRoot, MAPPING_STATES, MAPPING_ERRORS, SIGNIN_STATES } from './server/schemas/root.js';
export { MyPlexAccount } from './server/schemas/account.js';
export { PrefSetting, PREF_TYPES, REDACTED_PREF_VALUE, isSecretPref, parseEnumValues } from './server/schemas/prefs.js';
export type { PrefValue, PrefEnumValue } from './server/schemas/prefs.js';
export {
  NetworkPrefs,
  ServerPrefs,
  NETWORK_PREF_KINDS,
  SECURE_CONNECTIONS_LABELS,
  networkPrefsFrom,
} from './server/schemas/network-prefs.js';
export type { NetworkPrefId, SecureConnectionsLabel } from './server/schemas/network-prefs.js';

// The plex.tv client, its schemas and pure helpers.
export { createPlexTvClient, createClientIdentifier, PLEX_TV_URL } from './plextv/client.js';
export type {
  PlexTvClient,
  PlexTvClientOptions,
  CallSignalOptions,
  ResourcesOptions,
  LegacyResourcesOptions,
  CreatePinOptions,
} from './plextv/client.js';
export { PlexConnection, PlexDevice, PlexDeviceList, withoutSecrets } from './plextv/devices.js';
export type { PlexConnectionWithoutSecrets, PlexDeviceWithoutSecrets } from './plextv/devices.js';
export { PlexUser, PlexSubscription } from './plextv/user.js';
export { PlexPin, PinOutcome, pinAuthUrl, PIN_EXPIRED_ERROR_CODE, DEFAULT_AUTH_APP_URL } from './plextv/pin.js';
export type { AuthUrlOptions } from './plextv/pin.js';
export { pinPollDelay } from './plextv/pin-poll.js';
export type { PollPinOptions } from './plextv/pin-poll.js';
export { PlexServerRecord, PlexServerRecordList } from './plextv/server-record.js';
export { parsePublicIpBody } from './plextv/public-ip.js';
export { serversOf, findServer, classifyConnection } from './plextv/connections.js';
export type { ConnectionKind, ConnectionClassification } from './plextv/connections.js';

// The HTTP transport both clients use: one deadline for the whole call, a body cap, redirects that drop the token
// across origins, typed errors. For a Plex endpoint the clients do not wrap yet.
export { httpRequest } from '../http/transport.js';
export type { HttpRequestOptions, HttpResponse, HttpMethod, QueryValue } from '../http/transport.js';
