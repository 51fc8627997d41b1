/**
 * plex.tv's record of a server: `api/servers/{machineIdentifier}` (XML `<MediaContainer><Server address port scheme
 * host localAddresses .../>`, Plexopedia capture) or the v2 JSON object (plex-api.rs mock). `address`/`port` are what
 * plex.tv believes the server's public mapping is (docs/reference/plex-api.md §5.6). Parsed tolerantly: every field but
 * machineIdentifier is optional, unknown fields (library sections...) are kept.
 */
import { z } from 'zod';
import { lazySchema, realSchema } from '../../core/util/lazy-schema.js';
import {
  plexBoolOpt,
  plexDateOpt,
  plexList,
  plexNumberOpt,
  plexString,
  plexStringOpt,
} from '../../http/plex-values.js';
import { isRecord, omitKeys, unwrapList, withoutUndefined } from './shape.js';

export const PlexServerRecord = lazySchema(() =>
  z
    .looseObject({
      machineIdentifier: plexString,
      name: plexStringOpt,
      /** The public address plex.tv has for the server. */
      address: plexStringOpt,
      /** The public port plex.tv has for the server. */
      port: plexNumberOpt,
      /** "http" or "https". */
      scheme: plexStringOpt,
      host: plexStringOpt,
      /** The server's LAN addresses ("192.168.1.100,10.0.0.2"). */
      localAddresses: plexList,
      version: plexStringOpt,
      owned: plexBoolOpt,
      synced: plexBoolOpt,
      createdAt: plexDateOpt,
      updatedAt: plexDateOpt,
    })
    // `pms/servers.xml` carries an accessToken per server; a record is meant to be stored, so credentials go.
    .transform((record) => withoutUndefined(omitKeys(record, ['accessToken', 'token']))),
);
export type PlexServerRecord = z.infer<typeof PlexServerRecord>;

function extractServers(value: unknown): unknown {
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return value;
  if ('MediaContainer' in value) {
    const container = value.MediaContainer;
    return isRecord(container) ? unwrapList(container.Server, 'Server') : [];
  }
  if ('Server' in value) return unwrapList(value.Server, 'Server');
  // v2 JSON: the record itself.
  return [value];
}

export const PlexServerRecordList = lazySchema(() =>
  z.preprocess(extractServers, z.array(realSchema(PlexServerRecord))),
);
