/**
 * The single fast-xml-parser configuration. Plex XML is "attributes on elements"; we keep attribute values as
 * strings (zod coerces at the edge) because `parseAttributeValue` turns "0123" into 123 and "1e5" into 100000.
 *
 * `parse()` silently accepts HTML and junk (docs/reference/toolchain.md §5), so callers always validate first.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Which elements become arrays. `'non-root'` mirrors Plex's JSON encoding, where every child element list is an
 * array even with one member (`MediaContainer.Setting[]`), so XML and JSON decode to the same shape.
 */
export type XmlArrayPolicy = 'non-root' | ReadonlySet<string>;

export interface XmlValidationFailure {
  message: string;
  line?: number;
  col?: number;
}

/**
 * What a body may cost to parse. fast-xml-parser builds an object per element and a property per attribute: 480k
 * attributes in a body under the 8 MiB cap took 1.4 GB and 19 s, synchronously, out of reach of any timeout. The
 * largest real Plex payloads (a busy account's plex.tv resources, a server's ~200 settings) have a few thousand of
 * each and a depth under 10 (reference/payloads/), so these leave room while keeping a parse to ~100 MB and a second.
 */
export interface XmlLimits {
  elements: number;
  attributes: number;
  /** A Plex element has a few dozen; the validator's duplicate check and the parser's object grow with each. */
  attributesPerElement: number;
  depth: number;
}

export const XML_LIMITS: Readonly<XmlLimits> = {
  elements: 20_000,
  attributes: 50_000,
  attributesPerElement: 1_000,
  depth: 64,
};

export interface XmlCostFailure {
  limit: keyof XmlLimits;
  message: string;
}

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BANG = 0x21;
const QUESTION = 0x3f;

/**
 * A linear pre-scan that counts elements, attributes and nesting without building anything, run before the validator
 * and the parser (both of which allocate per attribute). Comments, CDATA, declarations and processing instructions
 * are skipped; an `=` counts as an attribute only inside a tag and outside a quoted value. Malformed input is left to
 * the validator: this only answers "too costly to look at".
 */
export function checkXmlCost(text: string, limits: Readonly<XmlLimits> = XML_LIMITS): XmlCostFailure | undefined {
  let elements = 0;
  let attributes = 0;
  let depth = 0;
  let i = 0;
  const length = text.length;
  while (i < length) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);
    if (next === BANG || next === QUESTION) {
      const end = text.startsWith('<!--', lt)
        ? text.indexOf('-->', lt + 4)
        : text.startsWith('<![CDATA[', lt)
          ? text.indexOf(']]>', lt + 9)
          : text.indexOf('>', lt + 2);
      if (end < 0) break;
      i = end + 1;
      continue;
    }
    const closing = next === SLASH;
    const attributesBefore = attributes;
    let j = lt + 1;
    let quote = 0;
    let selfClosing = false;
    for (; j < length; j++) {
      const code = text.charCodeAt(j);
      if (quote !== 0) {
        if (code === quote) quote = 0;
      } else if (code === QUOTE || code === APOSTROPHE) quote = code;
      else if (code === EQUALS) attributes++;
      else if (code === GT) {
        selfClosing = text.charCodeAt(j - 1) === SLASH;
        break;
      } else if (code === LT) break; // malformed: the validator will say where
    }
    if (closing) depth = Math.max(0, depth - 1);
    else {
      elements++;
      if (!selfClosing) depth++;
    }
    if (attributes - attributesBefore > limits.attributesPerElement)
      return {
        limit: 'attributesPerElement',
        message: `more than ${limits.attributesPerElement} attributes on one XML element`,
      };
    if (elements > limits.elements) return { limit: 'elements', message: `more than ${limits.elements} XML elements` };
    if (attributes > limits.attributes)
      return { limit: 'attributes', message: `more than ${limits.attributes} XML attributes` };
    if (depth > limits.depth) return { limit: 'depth', message: `XML nested deeper than ${limits.depth} levels` };
    i = j > lt ? j + 1 : lt + 1;
  }
  return undefined;
}

export function validateXml(text: string): XmlValidationFailure | undefined {
  const result = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (result === true) return undefined;
  return { message: result.err.msg, line: result.err.line, col: result.err.col };
}

export function parseXml(text: string, arrays: XmlArrayPolicy = 'non-root'): Record<string, unknown> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    allowBooleanAttributes: true,
    textNodeName: '#text',
    htmlEntities: false,
    isArray: (name: string, jpath: unknown, _isLeaf: boolean, isAttribute: boolean) => {
      if (isAttribute) return false;
      if (arrays === 'non-root') return String(jpath).includes('.');
      return arrays.has(name);
    },
  });
  return parser.parse(text) as Record<string, unknown>;
}
