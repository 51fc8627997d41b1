/** `{{name}}` substitution, ESLint-style. A missing value stays visible as `{{name}}` so tests catch it. */
export function interpolate(template: string, data: Record<string, unknown> = {}): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, key: string) => {
    const value = data[key];
    return value === undefined || value === null ? whole : String(value);
  });
}

/** Placeholders a template uses, for tests that check every message gets its data. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g)].map((match) => match[1]!);
}
