/**
 * Token redaction. The Plex token is a full account credential: it must never reach a message, a URL kept in an
 * error, a cause chain, a log line or a snapshot. Two layers: well-known token *shapes* (query parameters, headers,
 * JSON/XML fields) are scrubbed everywhere, and the literal secrets a client knows (its own token) are scrubbed too.
 */

export const REDACTED = 'REDACTED';

// Parameter and field names that carry a credential in Plex and plex.tv traffic.
const SECRET_NAMES = ['X-Plex-Token', 'authToken', 'accessToken', 'authenticationToken', 'PlexOnlineToken', 'token'];
const NAMES = SECRET_NAMES.join('|');

// Redaction also runs over JSON text (the CLI scrubs every line it writes, `--json` included), so no pattern may
// consume a backslash (it could be the escape of a quote), write a quote that was not there, or match across the end
// of a JSON string (a quoted value never holds a quote or JSON punctuation; Plex tokens never do either).
const QUERY_PATTERN = new RegExp(`((?:^|[?&;\\s,(\\[{])(?:${NAMES})=)[^&#\\s"'<>)\\]},\\\\]*`, 'gi');
const HEADER_PATTERN = /(X-Plex-Token\s*:\s*)[^\s,;"'}\\]+/gi;
const JSON_FIELD_PATTERN = new RegExp(`("(?:${NAMES}|authentication-token)"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const XML_ATTR_PATTERN = new RegExp(`(\\b(?:${NAMES})\\s*=\\s*)("[^"',:{}\\[\\]\\n]*"|'[^'",:{}\\[\\]\\n]*')`, 'gi');
const XML_ELEMENT_PATTERN = /(<authentication-token[^>]*>)[^<"]*(<\/authentication-token>)/gi;

const SHAPE_HINT = /[=:<]/;

/** Shortest literal secret we scrub by value; shorter strings would mangle ordinary text. */
const MIN_SECRET_LENGTH = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces credential query parameters (`X-Plex-Token=...`, `token=...`) in a URL string. */
export function redactUrl(url: string): string {
  return url.replace(QUERY_PATTERN, `$1${REDACTED}`);
}

/** Scrubs token shapes and the given literal secrets (plain and URL-encoded) from free text. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  return createTextRedactor(secrets)(text);
}

/**
 * `redactText` with the secrets compiled once: for redacting many strings (every string of a snapshot or report),
 * where building the secret patterns per string cost more than the scrubbing itself.
 */
export function createTextRedactor(secrets: readonly string[] = []): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    // As it reads inside JSON text, when it has characters JSON escapes (a quote, a backslash).
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // One alternation, longest first, so a secret that contains another is replaced whole.
  const literal = forms.size
    ? new RegExp(
        [...forms]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      )
    : undefined;
  return (text) => {
    // Known secrets first: a shape pattern that stops at one of a token's characters would leave the rest behind.
    const out = literal ? text.replace(literal, REDACTED) : text;
    // Every token shape has a '=', ':' or '<' in it; most strings of a snapshot (ids, states, addresses) have none.
    return SHAPE_HINT.test(out) ? redactShapes(out) : out;
  };
}

function redactShapes(text: string): string {
  // Quoted forms first: the query pattern would otherwise claim `authToken=` of an XML attribute.
  return text
    .replace(JSON_FIELD_PATTERN, `$1"${REDACTED}"`)
    .replace(
      XML_ATTR_PATTERN,
      (_whole, prefix: string, quoted: string) => `${prefix}${quoted[0]}${REDACTED}${quoted[0]}`,
    )
    .replace(XML_ELEMENT_PATTERN, `$1${REDACTED}$2`)
    .replace(HEADER_PATTERN, `$1${REDACTED}`)
    .replace(QUERY_PATTERN, (whole, prefix: string) =>
      whole.length === prefix.length ? whole : `${prefix}${REDACTED}`,
    );
}

/** Returns a copy of the headers with the token header's value replaced. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = name.toLowerCase() === 'x-plex-token' ? REDACTED : value;
  }
  return out;
}

const MAX_CAUSE_DEPTH = 6;

/**
 * Builds a redacted copy of an error chain. We never keep the original cause object: undici errors can hold
 * sockets and request options, and a user's own error could hold anything. Name, code, errno and syscall survive
 * because they are what tells the phase of a failure apart.
 */
export function sanitizeCause(cause: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (depth >= MAX_CAUSE_DEPTH) return undefined;
  if (!(cause instanceof Error)) {
    if (cause === undefined || cause === null) return cause;
    return redactText(typeof cause === 'string' ? cause : safeString(cause), secrets);
  }
  const nested = (cause as { cause?: unknown }).cause;
  const copy = new Error(
    redactText(cause.message, secrets),
    nested === undefined ? undefined : { cause: sanitizeCause(nested, secrets, depth + 1) },
  );
  copy.name = cause.name;
  copy.stack = undefined;
  const source = cause as unknown as Record<string, unknown>;
  const target = copy as unknown as Record<string, unknown>;
  for (const key of ['code', 'errno', 'syscall']) {
    const value = source[key];
    if (typeof value === 'string' || typeof value === 'number') target[key] = value;
  }
  if (cause instanceof AggregateError) {
    target.errors = cause.errors.map((e) => sanitizeCause(e, secrets, depth + 1));
  }
  return copy;
}

function safeString(value: unknown): string {
  try {
    // Objects went to JSON.stringify; String() sees only primitives and functions here.
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see the comment above
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
