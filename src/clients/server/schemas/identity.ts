/**
 * `GET /identity`: the one PMS endpoint that answers without a token (docs/reference/plex-api.md §1). Real XML capture:
 * `<MediaContainer size="0" claimed="1" machineIdentifier="6a64…" version="1.29.1.6316-f4cdfea9c">`; the JSON form
 * is known only from the spec's schema (`claimed: true`, `size: 0`).
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../../core/util/lazy-schema.js';
import { plexObject } from '../../../http/plex-object.js';
import { plexBoolOpt, plexNumberOpt, plexString, plexStringOpt } from '../../../http/plex-values.js';

export const ServerIdentity = lazySchema(() =>
  plexObject({
    /** 40 hex characters on real servers (python-plexapi asserts the length); any non-empty string accepted. */
    machineIdentifier: plexString,
    version: plexStringOpt,
    /** false: the server was never claimed (signed in to a Plex account). */
    claimed: plexBoolOpt,
    size: plexNumberOpt,
  }),
);
export type ServerIdentity = z.infer<typeof ServerIdentity>;

/** The response envelope; the client returns its `MediaContainer`. */
export const IdentityResponse = lazySchema(() => z.object({ MediaContainer: realSchema(ServerIdentity) }));
