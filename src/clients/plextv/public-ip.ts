/**
 * `GET https://plex.tv/:/ip` answers the caller's address as plex.tv sees it, as plain text (docs/reference/plex-api.md
 * §5.5). A captive portal or proxy may answer instead with an HTML page and a 200, so the body is checked before it is
 * believed.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import { DecodeError, type ErrorContext } from '../../core/errors.js';
import { decodeText, excerpt, looksLikeHtml } from '../../http/decode.js';
import { parseWith } from '../../http/validate.js';

const PublicIpText = lazySchema(() =>
  z
    .string()
    .transform((text) => text.trim().replace(/^\[(.*)\]$/, '$1'))
    .refine((text) => ipaddr.isValid(text), { message: 'not an IP address' })
    // Canonical form (IPv4-mapped IPv6 unwrapped) so it compares equal to the same address from anywhere else.
    .transform((text) => ipaddr.process(text).toString()),
);

/** Parses the body of `/:/ip`; HTML → DecodeError 'html', empty → 'empty', anything else that is not an IP → validation error. */
export function parsePublicIpBody(body: Buffer, context: ErrorContext & { contentType?: string } = {}): string {
  const text = decodeText(body);
  const where = context.method && context.url ? `${context.method} ${context.url}: ` : '';
  const details = { ...context, bodyExcerpt: excerpt(text) };
  if (text.trim() === '') throw new DecodeError(`${where}empty response body`, { ...details, reason: 'empty' });
  if (looksLikeHtml(text)) {
    throw new DecodeError(
      `${where}got an HTML page instead of an IP address: a captive portal, proxy login or error page is answering`,
      {
        ...details,
        reason: 'html',
      },
    );
  }
  return parseWith(PublicIpText, text, { ...context, what: 'public IP' });
}
