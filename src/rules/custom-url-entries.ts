/**
 * Entries of the `customConnections` pref ("Custom server access URLs", a comma list; docs/reference/plex-api.md §4),
 * read as written. `new URL()` drops a default port (`https://x:443` and `https://x` parse the same), so whether the
 * owner wrote a port is read from the text itself.
 */
import { isIpAddress } from '../core/net/address.js';

export type CustomEntry =
  | { kind: 'not-a-url'; text: string; suggestion?: string }
  | {
      kind: 'url';
      text: string;
      url: URL;
      scheme: 'http' | 'https';
      host: string;
      explicitPort?: number;
      defaultPort: number;
    };

/** The authority ("user@host:port") of an absolute URL's text, and where it ends. */
function authorityOf(text: string): { start: number; end: number; authority: string } | undefined {
  const marker = text.indexOf('://');
  if (marker < 0) return undefined;
  const start = marker + 3;
  const rest = text.slice(start);
  const stop = rest.search(/[/?#]/);
  const end = stop < 0 ? text.length : start + stop;
  return { start, end, authority: text.slice(start, end) };
}

/** The port written in the text, if any ("https://[2001:db8::1]:443/" → 443, "https://plex.example.com" → undefined). */
export function explicitPort(text: string): number | undefined {
  const found = authorityOf(text);
  if (!found) return undefined;
  const hostPort = found.authority.slice(found.authority.lastIndexOf('@') + 1);
  const match = hostPort.startsWith('[') ? /^\[[^\]]*\]:(\d+)$/.exec(hostPort) : /:(\d+)$/.exec(hostPort);
  return match ? Number(match[1]) : undefined;
}

/** The entry with the scheme's default port written out, everything else kept as written. */
export function withPort(text: string, port: number): string {
  const found = authorityOf(text);
  if (!found) return text;
  return `${text.slice(0, found.end)}:${port}${text.slice(found.end)}`;
}

/** A likely full URL for an entry written without a scheme ("192.168.1.10:32400", "plex.example.com"). */
function suggestionFor(text: string): string | undefined {
  if (text.includes('://')) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return undefined;
  // A bare IP usually means Plex itself (plain HTTP on its port); a name usually a reverse proxy with a certificate.
  const scheme = isIpAddress(host) ? 'http' : 'https';
  const candidate = `${scheme}://${text}`;
  return explicitPort(candidate) === undefined ? withPort(candidate, scheme === 'https' ? 443 : 32400) : candidate;
}

export function parseCustomEntry(text: string): CustomEntry {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    const suggestion = suggestionFor(text);
    return { kind: 'not-a-url', text, ...(suggestion ? { suggestion } : {}) };
  }
  // "plex.example.com:32400" parses as a URL whose scheme is "plex.example.com:": not what the owner meant.
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || !text.includes('://')) {
    const suggestion = suggestionFor(text);
    return { kind: 'not-a-url', text, ...(suggestion ? { suggestion } : {}) };
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = explicitPort(text);
  return {
    kind: 'url',
    text,
    url,
    scheme,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    ...(port === undefined ? {} : { explicitPort: port }),
    defaultPort: scheme === 'https' ? 443 : 80,
  };
}
