/**
 * What an `/identity` answer body is. A PMS answers a small MediaContainer with `machineIdentifier`, `version` and
 * `claimed` (docs/reference/plex-api.md §1; XML by default, JSON on `Accept: application/json`); anything else on that
 * port is described rather than rejected: an HTML page keeps its title ("something else answers here").
 */
import { z } from 'zod';
import { isDecodeError } from '../../core/errors.js';
import { decodeBody, decodeText } from '../../http/decode.js';
import { plexBoolOpt, plexStringOpt } from '../../http/plex-values.js';

export const IdentityBodyKind = z.enum(['plex-identity', 'html', 'empty', 'malformed', 'other']);
export type IdentityBodyKind = z.infer<typeof IdentityBodyKind>;

/** The identity document, tolerant: unknown attributes pass, and a missing machineIdentifier is simply absent. */
export const IdentityDocument = z.looseObject({
  MediaContainer: z.looseObject({
    machineIdentifier: plexStringOpt,
    version: plexStringOpt,
    claimed: plexBoolOpt,
  }),
});

export interface DescribedBody {
  bodyKind: IdentityBodyKind;
  machineIdentifier?: string;
  version?: string;
  claimed?: boolean;
  title?: string;
}

export function describeBody(status: number, body: Buffer, contentType: string | undefined): DescribedBody {
  let decoded: unknown;
  try {
    decoded = decodeBody(body, { contentType });
  } catch (error) {
    if (!isDecodeError(error)) return { bodyKind: 'other' };
    switch (error.reason) {
      case 'empty':
        return { bodyKind: 'empty' };
      case 'html': {
        const title = htmlTitle(decodeText(body));
        return { bodyKind: 'html', ...(title ? { title } : {}) };
      }
      case 'malformed-json':
      case 'malformed-xml':
        return { bodyKind: 'malformed' };
      default:
        return { bodyKind: 'other' };
    }
  }
  const parsed = IdentityDocument.safeParse(decoded);
  if (!parsed.success) return { bodyKind: 'other' };
  const { machineIdentifier, version, claimed } = parsed.data.MediaContainer;
  // Only a 2xx identity counts: an error page that happens to carry a MediaContainer is not "this server's identity".
  if (!machineIdentifier || status < 200 || status >= 300) return { bodyKind: 'other' };
  return {
    bodyKind: 'plex-identity',
    machineIdentifier,
    ...(version ? { version } : {}),
    ...(claimed === undefined ? {} : { claimed }),
  };
}

function htmlTitle(text: string): string | undefined {
  const match = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(text);
  const title = match?.[1]?.replace(/\s+/g, ' ').trim();
  return title ? title.slice(0, 120) : undefined;
}
