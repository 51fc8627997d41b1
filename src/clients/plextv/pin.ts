/**
 * plex.tv PIN login: `POST api/v2/pins?strong=true` creates a pin, the user approves it in the Plex web app, and
 * `GET api/v2/pins/{id}` shows the `authToken` once linked; 404 with error code 1020 once it expired
 * (docs/reference/plex-api.md §5.4; captures pins-new / pins-linked in test/fixtures/plextv/).
 */
import { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import {
  plexBoolOpt,
  plexDateOpt,
  plexNumber,
  plexNumberOpt,
  plexString,
  plexStringOpt,
} from '../../http/plex-values.js';
import { unwrapRoot, withoutUndefined } from './shape.js';

export const PlexPin = lazySchema(() =>
  z
    .preprocess(
      unwrapRoot('pin'),
      z.looseObject({
        id: plexNumber,
        /** The code the user approves (4 characters, or a long one for a "strong" pin). */
        code: plexString,
        /** The X-Plex-Client-Identifier the pin was created for; the token will belong to that client. */
        clientIdentifier: plexStringOpt,
        product: plexStringOpt,
        trusted: plexBoolOpt,
        /** URL of a QR code image for the code. */
        qr: plexStringOpt,
        /** Seconds left when the pin was read (900 when new). */
        expiresIn: plexNumberOpt,
        createdAt: plexDateOpt,
        expiresAt: plexDateOpt,
        /** **Secret** once set. `null` until the user has approved the pin. */
        authToken: z
          .preprocess((value) => (value === '' || value === undefined ? null : value), z.string().nullable())
          .catch(null),
      }),
    )
    .transform(withoutUndefined),
);
export type PlexPin = z.infer<typeof PlexPin>;

/**
 * How waiting for a pin ended. `authorized` carries the new token (a secret: store it like a password); the
 * others say why there is none. Returned, never thrown: a user who closes the browser is not an error.
 */
export const PinOutcome = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('authorized'), authToken: z.string().min(1) }),
    z.object({ status: z.literal('expired') }),
    z.object({ status: z.literal('timeout') }),
    z.object({ status: z.literal('cancelled') }),
  ]),
);
export type PinOutcome = z.infer<typeof PinOutcome>;

/** plex.tv's error code for "Code not found or expired" (404 on `GET api/v2/pins/{id}`). */
export const PIN_EXPIRED_ERROR_CODE = 1020;

export interface AuthUrlOptions {
  /** Where the Plex web app sends the browser after approval. @default none (the app shows "you can close this") */
  forwardUrl?: string;
  /** X-Plex-Product shown to the user on the approval page. @default the pin's product, else 'plex-diagnose' */
  product?: string;
  /** @default 'https://app.plex.tv/auth' */
  appUrl?: string;
}

export const DEFAULT_AUTH_APP_URL = 'https://app.plex.tv/auth';

/**
 * The page where the user approves a pin: `https://app.plex.tv/auth#?clientID=..&code=..&context[device][product]=..`.
 *
 * [U] This format is widely used by third-party clients but was not found verbatim in the sources we checked
 * (docs/reference/plex-api.md "Could not confirm" 8). The parameters go in the fragment, so they never reach a server
 * log.
 */
export function pinAuthUrl(
  pin: Pick<PlexPin, 'code' | 'clientIdentifier' | 'product'>,
  clientIdentifier: string,
  options: AuthUrlOptions = {},
): string {
  const params = new URLSearchParams();
  params.set('clientID', pin.clientIdentifier ?? clientIdentifier);
  params.set('code', pin.code);
  params.set(
    'context[device][product]',
    options.product ?? (pin.product && pin.product !== '0' ? pin.product : 'plex-diagnose'),
  );
  if (options.forwardUrl) params.set('forwardUrl', options.forwardUrl);
  return `${options.appUrl ?? DEFAULT_AUTH_APP_URL}#?${params.toString()}`;
}
