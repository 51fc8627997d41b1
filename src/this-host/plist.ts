/**
 * The top-level `<dict>` of an XML property list (macOS PMS keeps its preferences in
 * ~/Library/Preferences/com.plexapp.plexmediaserver.plist: `<key>PlexOnlineToken</key><string>…</string>`).
 *
 * A plist dict is an ordered key/value sequence of sibling elements, so it needs fast-xml-parser's `preserveOrder`
 * mode: the shared `parseXml` groups siblings by tag name, which loses the pairing as soon as a non-string value
 * (`<true/>`, `<integer>`) sits between two keys. Validation still comes first (docs/reference/toolchain.md §5: `parse`
 * accepts junk).
 */
import { XMLParser } from 'fast-xml-parser';
import { checkXmlCost, validateXml } from '../http/xml.js';

/** `bplist00`: the binary plist magic. Such files need `plutil -convert xml1` first. */
export function isBinaryPlist(content: Buffer): boolean {
  return content.subarray(0, 8).toString('latin1') === 'bplist00';
}

export class PlistFormatError extends Error {
  override name = 'PlistFormatError';
}

type OrderedNode = Record<string, unknown> & { ':@'?: unknown };

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@');
}

function textOf(node: OrderedNode, tag: string): string {
  const children = node[tag];
  if (!Array.isArray(children)) return '';
  // #text is a string, number or boolean (the XML parser's text node), never an object.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see the comment above
  return children.map((child) => String((child as Record<string, unknown>)['#text'] ?? '')).join('');
}

/**
 * Scalar values of the top-level dict, as text (`<true/>` → "true", `<integer>32400</integer>` → "32400").
 * Nested dicts and arrays are skipped. Throws PlistFormatError when the text is not an XML plist with a dict.
 */
export function readPlistScalars(text: string): Map<string, string> {
  if (/<!ENTITY/i.test(text)) throw new PlistFormatError('plist with entity declarations refused');
  const costly = checkXmlCost(text);
  if (costly) throw new PlistFormatError(`plist refused: ${costly.message}`);
  const invalid = validateXml(text.trim());
  if (invalid)
    throw new PlistFormatError(`malformed XML${invalid.line === undefined ? '' : ` at line ${invalid.line}`}`);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: true,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    htmlEntities: false,
    textNodeName: '#text',
  });
  const document = parser.parse(text) as OrderedNode[];
  const plist = document.find((node) => tagOf(node) === 'plist');
  if (!plist) throw new PlistFormatError('not a property list (no <plist> root)');
  const dict = (plist.plist as OrderedNode[]).find((node) => tagOf(node) === 'dict');
  if (!dict) throw new PlistFormatError('property list without a top-level <dict>');
  const values = new Map<string, string>();
  let pendingKey: string | undefined;
  for (const node of dict.dict as OrderedNode[]) {
    const tag = tagOf(node);
    if (tag === undefined || tag === '#text') continue;
    if (tag === 'key') {
      pendingKey = textOf(node, tag);
      continue;
    }
    if (pendingKey === undefined) continue;
    if (tag === 'true' || tag === 'false') values.set(pendingKey, tag);
    else if (tag === 'string' || tag === 'integer' || tag === 'real' || tag === 'date')
      values.set(pendingKey, textOf(node, tag));
    pendingKey = undefined;
  }
  return values;
}
