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
