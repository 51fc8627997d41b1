/**
 * The signed-in plex.tv account: `api/v2/user` (JSON) and the legacy `users/account` XML (`<user ...><subscription>
 * <features><feature id/></features>`) parse with one schema (docs/reference/plex-api.md §5.3; captures in
 * test/fixtures/plextv/).
 *
 * The account's `authToken` (and the home `pin`, and the third-party service tokens under `services`) are removed
 * from the result: a `PlexUser` is meant to be shown and stored.
 */
import { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import { plexBoolOpt, plexNumber, plexStringOpt } from '../../http/plex-values.js';
import { firstOf, isRecord, omitKeys, unwrapRoot, withoutUndefined } from './shape.js';

/** `["a","b"]` (JSON) or `{ feature: [{ id: "a" }] }` (XML) → `["a","b"]`. */
function featureNames(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item): unknown[] => {
    if (typeof item === 'string') return [item];
    if (isRecord(item) && 'feature' in item) return featureNames(item.feature) as unknown[];
    if (isRecord(item) && typeof item.id === 'string') return [item.id];
    return [];
  });
}

export const PlexSubscription = lazySchema(() =>
  z
    .preprocess(
      firstOf,
      z.looseObject({
        /** A paid subscription (Plex Pass) is active. @default false when absent */
        active: plexBoolOpt.transform((value) => value ?? false),
        /** "Active", "Inactive", ... */
        status: plexStringOpt,
        /** "lifetime", "monthly", ... absent for free accounts. */
        plan: plexStringOpt,
        features: z.preprocess(featureNames, z.array(z.string())).catch([]),
      }),
    )
    .transform(withoutUndefined),
);
export type PlexSubscription = z.infer<typeof PlexSubscription>;

/** Fields removed from the user before it is returned: credentials, not profile data. */
const USER_SECRETS = ['authToken', 'pin'] as const;

function stripServiceSecrets(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((service: unknown) => (isRecord(service) ? omitKeys(service, ['token', 'secret']) : service));
}

export const PlexUser = lazySchema(() =>
  z
    .preprocess(
      unwrapRoot('user'),
      z.looseObject({
        id: plexNumber,
        uuid: plexStringOpt,
        username: plexStringOpt,
        title: plexStringOpt,
        email: plexStringOpt,
        subscription: PlexSubscription.optional(),
        home: plexBoolOpt,
        homeAdmin: plexBoolOpt,
        twoFactorEnabled: plexBoolOpt,
      }),
    )
    .transform((user) => {
      const rest = omitKeys(user, USER_SECRETS);
      return withoutUndefined('services' in rest ? { ...rest, services: stripServiceSecrets(rest.services) } : rest);
    }),
);
export type PlexUser = z.infer<typeof PlexUser>;

/** XML elements that are lists in the user payload. */
export const USER_XML_ARRAYS: ReadonlySet<string> = new Set(['feature', 'entitlement', 'role', 'service']);
