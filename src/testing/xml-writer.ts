/** Writes Plex-shaped XML (attributes on elements) for the fakes. */

export type XmlAttributes = Record<string, string | number | boolean | null | undefined>;

export interface XmlElement {
  name: string;
  attributes?: XmlAttributes;
  children?: XmlElement[];
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function attributeValue(value: string | number | boolean): string {
  // Plex XML writes booleans as "1"/"0".
  if (typeof value === 'boolean') return value ? '1' : '0';
  return escapeXml(String(value));
}

export function renderElement(element: XmlElement, indent = ''): string {
  const attributes = Object.entries(element.attributes ?? {})
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined && entry[1] !== null)
    .map(([key, value]) => ` ${key}="${attributeValue(value)}"`)
    .join('');
  const children = element.children ?? [];
  if (children.length === 0) return `${indent}<${element.name}${attributes} />`;
  const inner = children.map((child) => renderElement(child, `${indent}  `)).join('\n');
  return `${indent}<${element.name}${attributes}>\n${inner}\n${indent}</${element.name}>`;
}

export function renderDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderElement(root)}\n`;
}
