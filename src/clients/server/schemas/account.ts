/**
 * `GET /myplex/account`: the server's own view of its plex.tv mapping (docs/reference/plex-api.md §3). The root element
 * is `<MyPlex …/>` (Tautulli, python-plexapi); no real capture exists and the JSON shape is unknown, so `{MyPlex:{…}}`,
 * `{MediaContainer:{…}}` (also with a `MyPlex` child) and a flat object are all accepted.
 *
 * The response carries the server's `authToken` (python-plexapi reads it): `plexObject` drops it, so it never
 * reaches a result or a snapshot.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../../core/util/lazy-schema.js';
import { plexObject } from '../../../http/plex-object.js';
import { plexBoolOpt, plexEnumOpt, plexList, plexNumberOpt, plexStringOpt } from '../../../http/plex-values.js';
import { MAPPING_ERRORS, MAPPING_STATES, SIGNIN_STATES } from './root.js';

export const MyPlexAccount = lazySchema(() =>
  plexObject({
    mappingState: plexEnumOpt(MAPPING_STATES),
    /** Absent when there is no error (Plex sends ""). */
    mappingError: plexEnumOpt(MAPPING_ERRORS),
    mappingErrorMessage: plexStringOpt,
    signInState: plexEnumOpt(SIGNIN_STATES),
    username: plexStringOpt,
    /** What plex.tv saw as the server's public address; "" (absent) when the mapping is unreachable (python-plexapi test). */
    publicAddress: plexStringOpt,
    /** 0 when unreachable (python-plexapi test). */
    publicPort: plexNumberOpt,
    privateAddress: plexStringOpt,
    privatePort: plexNumberOpt,
    subscriptionActive: plexBoolOpt,
    /** `Active` / `Unknown` seen. */
    subscriptionState: plexStringOpt,
    /** From the comma list; [] when absent. */
    subscriptionFeatures: plexList,
  }),
);
export type MyPlexAccount = z.infer<typeof MyPlexAccount>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** Finds the account attributes in any of the accepted envelopes. */
export function unwrapAccount(data: unknown): unknown {
  if (!isObject(data)) return data;
  const myPlex = first(data.MyPlex);
  if (isObject(myPlex)) return myPlex;
  const container = first(data.MediaContainer);
  if (isObject(container)) {
    const inner = first(container.MyPlex);
    return isObject(inner) ? inner : container;
  }
  return data;
}

export const AccountResponse = lazySchema(() => z.preprocess(unwrapAccount, realSchema(MyPlexAccount)));
