/**
 * `GET /`: the root MediaContainer ("server capabilities"). Only the remote-access fields are typed
 * (docs/reference/plex-api.md §2); the rest (allowSync, transcoder*, the Directory list, ...) is kept in XML form by
 * `plexObject`. Captures: root-xml__plexopedia-server-capabilities.xml,
 * root-json-{free,plexpass,unclaimed}__plex-api-rs-*.json.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../../core/util/lazy-schema.js';
import { plexObject } from '../../../http/plex-object.js';
import { plexBoolOpt, plexEnumOpt, plexNumberOpt, plexString, plexStringOpt } from '../../../http/plex-values.js';

/** plex-api.rs enum `MappingState`; Tautulli special-cases `waiting`. Unknown values are kept as strings. */
export const MAPPING_STATES = ['unknown', 'waiting', 'mapped', 'failed'] as const;
/** plex-api.rs enum `MappingError` (the only full list; `unreachable`, `publisherror` confirmed elsewhere). */
export const MAPPING_ERRORS = [
  'badauth',
  'unreachable',
  'myplexgone',
  'publisherror',
  'doublenat',
  'jumboframes',
] as const;
/** plex-api.rs enum `MyPlexSignInState`; `none` = never claimed or signed out. */
export const SIGNIN_STATES = ['unknown', 'none', 'invalid', 'ok'] as const;

export const ServerRoot = lazySchema(() =>
  plexObject({
    machineIdentifier: plexString,
    friendlyName: plexStringOpt,
    version: plexStringOpt,
    platform: plexStringOpt,
    platformVersion: plexStringOpt,
    /** Signed in to plex.tv ("myPlex") at all. */
    myPlex: plexBoolOpt,
    myPlexMappingState: plexEnumOpt(MAPPING_STATES),
    /**
     * Only plex-api.rs models it on `/` (docs/reference/plex-api.md "Could not confirm" #3); absent when there is no
     * error.
     */
    myPlexMappingError: plexEnumOpt(MAPPING_ERRORS),
    myPlexSigninState: plexEnumOpt(SIGNIN_STATES),
    myPlexSubscription: plexBoolOpt,
    myPlexUsername: plexStringOpt,
    /** A plex.direct certificate exists. */
    certificate: plexBoolOpt,
    /** e.g. `startingPlugins` while the server boots (plex-api.rs unclaimed capture). */
    startState: plexStringOpt,
    /** Epoch seconds as Plex sends it (-1 seen in a real capture, so not converted to a date). */
    updatedAt: plexNumberOpt,
  }),
);
export type ServerRoot = z.infer<typeof ServerRoot>;

export const RootResponse = lazySchema(() => z.object({ MediaContainer: realSchema(ServerRoot) }));
