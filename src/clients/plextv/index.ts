// plex.tv: client, schemas and pure helpers. Re-exported by src/index.ts.
export { createPlexTvClient, createClientIdentifier, PLEX_TV_URL } from './client.js';
export type {
  PlexTvClient,
  PlexTvClientOptions,
  CallSignalOptions,
  ResourcesOptions,
  LegacyResourcesOptions,
  CreatePinOptions,
} from './client.js';
export { PlexConnection, PlexDevice, PlexDeviceList, withoutSecrets } from './devices.js';
export type { PlexConnectionWithoutSecrets, PlexDeviceWithoutSecrets } from './devices.js';
export { PlexUser, PlexSubscription } from './user.js';
export { PlexPin, PinOutcome, pinAuthUrl, PIN_EXPIRED_ERROR_CODE, DEFAULT_AUTH_APP_URL } from './pin.js';
export type { AuthUrlOptions } from './pin.js';
export { pinPollDelay } from './pin-poll.js';
export type { PollPinOptions } from './pin-poll.js';
export { PlexServerRecord, PlexServerRecordList } from './server-record.js';
export { parsePublicIpBody } from './public-ip.js';
export { serversOf, findServer, classifyConnection } from './connections.js';
export type { ConnectionKind, ConnectionClassification } from './connections.js';
