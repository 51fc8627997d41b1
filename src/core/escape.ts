/**
 * Output escaping: every string that came from the network (server names, Plex and router replies, GDM answers, UPnP
 * descriptions, a loaded snapshot) is untrusted, and a terminal obeys control characters in it (OSC 52 writes the
 * clipboard, CSI clears the screen, a CR or newline forges a "[✓] All good" line), markdown renders HTML and links
 * in it, and HTML runs it. This is the one place that neutralises them, like redact.ts is the one place for secrets.
 *
 * Neutralised characters are shown, not dropped, as `\uXXXX` text: the reader sees that something odd was there, and
 * the same six characters inside a JSON string read back as the original character (so JSON still round-trips).
 */

/**
 * C0 controls (tab and newline included), DEL, C1 controls (U+0080–U+009F, NEL among them), the bidi overrides and
 * isolates that reorder what a terminal shows (Trojan Source), and the Unicode line/paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set minus newline and tab: a whole document's own line structure stays. */

const UNSAFE_IN_DOCUMENT =
  // eslint-disable-next-line no-control-regex -- matching control characters is what this is for
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The SGR colour codes our own formatters emit through picocolors (bold, dim, colours and their resets): `ESC [ n m`
 * with one or two digits. Nothing else of ESC survives, so a code that slipped through can at worst change a colour.
 */
// eslint-disable-next-line no-control-regex
const OWN_SGR = /\u001b\[\d{1,2}m/g;

function visible(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One untrusted value for a terminal line: no control character, no line break, no bidi override survives. */
export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * The last guard in front of a terminal, for whole documents (the CLI's writer runs every line through it): newlines
 * and tabs stay, every other control character is shown as text, and ESC survives only as one of our own SGR colour
 * codes when colour is on. It cannot tell our newlines from a value's, which is why values are escaped with
 * {@link escapeTerminal} where they enter a line.
 */
export function guardTerminalOutput(text: string, options: { keepColor: boolean }): string {
  if (!options.keepColor) return text.replace(UNSAFE_IN_DOCUMENT, visible);
  let result = '';
  let last = 0;
  for (const match of text.matchAll(OWN_SGR)) {
    result += text.slice(last, match.index).replace(UNSAFE_IN_DOCUMENT, visible) + match[0];
    last = match.index + match[0].length;
  }
  return result + text.slice(last).replace(UNSAFE_IN_DOCUMENT, visible);
}

/**
 * JSON text whose strings carry no raw control, C1 or bidi character: JSON.stringify escapes only U+0000–U+001F, so
 * DEL, C1 and the bidi overrides are written as `\uXXXX` here. Valid JSON that parses back to the same value.
 */
export function stringifyJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_DOCUMENT, visible);
}

/** Punctuation that starts markup inline (emphasis, code, links and images via `[`, HTML, tables, entities, autolinks). */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>#|~&@]/g;

/**
 * One untrusted value inside a markdown line (a list item, a table cell, a heading): no raw HTML, no link, image or
 * autolink, no emphasis or code span, and no line break that would leave the item or cell.
 */
export function escapeMarkdown(text: string): string {
  return (
    escapeTerminal(text)
      .replace(MARKDOWN_SPECIAL, (char) => `\\${char}`)
      // GFM autolinks bare `https://…` and `www.…`; breaking the pattern keeps the text readable and unlinked.
      .replace(/:\/\//g, ':\\/\\/')
      .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\\.`)
      // At the start of a value a list marker, a numbered item or a block quote would open a block of its own.
      .replace(/^([-+=])/, '\\$1')
      .replace(/^(\d+)([.)])/, '$1\\$2')
      // Whitespace at an edge would join our own markup around the value: `* x` after `- ` is a nested list.
      .replace(/^\s+|\s+$/gu, (run) => [...run].map((char) => `&#${char.codePointAt(0)};`).join(''))
  );
}

/**
 * A link target for markdown or HTML from data we do not fully control (a rule's docsUrl): only http(s) URLs, so no
 * `javascript:` or `data:` link is ever written. Undefined when it is anything else.
 */
export function safeLinkUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    return parsed.href.replace(/[()<>\s"']/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return undefined;
  }
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** One untrusted value in HTML text or an attribute value (quoted): no tag, no attribute break-out, no control. */
export function escapeHtml(text: string): string {
  return escapeTerminal(text).replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!);
}

/**
 * Every string in a plain JSON value (a Report, a snapshot) passed through `escape`, at any depth; numbers, booleans
 * and the shape stay. Formatters call it once at their data boundary, so no field can be forgotten.
 */
export function escapeStrings<T>(value: T, escape: (text: string) => string): T {
  if (typeof value === 'string') return escape(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => escapeStrings(item, escape)) as T;
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[escapeStrings(key, escape)] = escapeStrings(item, escape);
    return result as T;
  }
  return value;
}
