/** `{{name}}` substitution, ESLint-style. A missing value stays visible as `{{name}}` so tests catch it. */
export function interpolate(template: string, data: Record<string, unknown> = {}): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, key: string) => {
    const value = data[key];
    // Message data are strings and numbers by contract; an object would be a rule bug that the rule's own test shows as
    // [object Object].
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- see the comment above
    return value === undefined || value === null ? whole : String(value);
  });
}

/** Placeholders a template uses, for tests that check every message gets its data. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g)].map((match) => match[1]!);
}
