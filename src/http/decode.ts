/**
 * Body → `unknown`, by what the body *is*, not only what the server claims: a PMS may answer XML to a JSON request
 * (older versions ignore Accept on some endpoints), and a captive portal answers HTML with a 200. Both XML and JSON
 * decode to the same object shape; validation (zod) comes after.
 */
import { DecodeError, type DecodeFailure, type ErrorContext } from '../core/errors.js';
import { checkXmlCost, parseXml, validateXml, type XmlArrayPolicy } from './xml.js';

export interface DecodeOptions extends ErrorContext {
  contentType?: string;
  /** @default 'non-root' */
  xmlArrays?: XmlArrayPolicy;
}

const EXCERPT_LENGTH = 200;

/**
 * A short, printable view of a body for messages. Binary data (a compressed or image body, a gzip bomb) is described,
 * not quoted: escaped bytes would fill an evidence line with `\u0000` noise and say nothing a person can use.
 */
export function excerpt(text: string, length = EXCERPT_LENGTH): string {
  const head = text.slice(0, 512);
  const kind = binaryKind(head);
  if (kind || isBinary(head)) return `binary data (${text.length} characters${kind})`;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

// Control characters other than whitespace, and U+FFFD (what invalid UTF-8 decodes to).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BINARY_CHAR = /[\u0000-\u0008\u000e-\u001f\u007f\ufffd]/g;

function isBinary(head: string): boolean {
  return head.length > 0 && (head.match(BINARY_CHAR)?.length ?? 0) > Math.max(2, head.length / 20);
}

function binaryKind(head: string): string {
  if (head.startsWith('\u001f\ufffd\u0008') || head.startsWith('\u001f\u008b')) return ', gzip-compressed';
  if (head.startsWith('PK\u0003\u0004')) return ', a zip archive';
  if (head.startsWith('\ufffdPNG')) return ', a PNG image';
  return '';
}

export function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 1024).trimStart().toLowerCase();
  return (
    head.startsWith('<!doctype html') ||
    /^<html[\s>]/.test(head) ||
    /<(head|body|script|meta)[\s>]/.test(head.slice(0, 512))
  );
}

function htmlTitle(text: string): string | undefined {
  const match = /<title[^>]*>([^<]{1,120})<\/title>/i.exec(text);
  return match?.[1]?.trim() || undefined;
}

export function decodeText(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Decodes a JSON or XML body; anything else (HTML, plain text, empty, malformed) is a DecodeError. */
export function decodeBody(body: Buffer, options: DecodeOptions = {}): unknown {
  const text = decodeText(body);
  const trimmed = text.trim();
  const where = options.method && options.url ? `${options.method} ${options.url}: ` : '';
  // Only a failure needs the excerpt: building it flattens the whitespace of the whole body (`/:/prefs` is the largest
  // answer of a diagnosis), which every successful decode used to pay for nothing.
  const fail = (message: string, reason: DecodeFailure): DecodeError =>
    new DecodeError(message, { ...options, contentType: options.contentType, bodyExcerpt: excerpt(text), reason });
  if (trimmed === '') {
    throw fail(`${where}empty response body`, 'empty');
  }
  const first = trimmed[0];
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch (cause) {
      throw fail(`${where}malformed JSON (${(cause as Error).message})`, 'malformed-json');
    }
  }
  if (first === '<') {
    if (looksLikeHtml(trimmed)) {
      const title = htmlTitle(trimmed);
      throw fail(
        `${where}got an HTML page${title ? ` ("${title}")` : ''} instead of Plex data: a captive portal, proxy login or error page is answering`,
        'html',
      );
    }
    // Entity declarations are never in Plex payloads; refusing them closes the entity-expansion door.
    if (/<!ENTITY/i.test(trimmed)) {
      throw fail(`${where}XML with entity declarations refused`, 'xml-entities');
    }
    // Counted before the validator and the parser, which both allocate per attribute (xml.ts: XML_LIMITS).
    const costly = checkXmlCost(trimmed);
    if (costly) {
      throw fail(`${where}XML refused: ${costly.message}, far more than any Plex or router payload`, 'xml-too-complex');
    }
    const invalid = validateXml(trimmed);
    if (invalid) {
      const at = invalid.line === undefined ? '' : ` at line ${invalid.line}, column ${invalid.col ?? '?'}`;
      throw fail(`${where}malformed XML${at}: ${invalid.message}`, 'malformed-xml');
    }
    try {
      return parseXml(trimmed, options.xmlArrays);
    } catch (cause) {
      throw fail(`${where}malformed XML: ${(cause as Error).message}`, 'malformed-xml');
    }
  }
  throw fail(
    `${where}expected JSON or XML, got ${options.contentType || 'text'}: "${excerpt(text, 60)}"`,
    'unexpected-content',
  );
}
