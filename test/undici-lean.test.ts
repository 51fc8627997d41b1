/**
 * The bundled CLI gets scripts/build/undici-lean.cjs instead of undici's index (tsup.config.ts). Every name the source
 * takes from `loadUndici()` must be there: a missing one is `undefined` only in the CLI (the library and the tests use
 * the real undici), so nothing else would catch it before a user's run ("Client is not a constructor").
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** Names destructured from `await loadUndici()` and read as `undici.X` off a variable holding it. */
function namesUsed(source: string): string[] {
  const names: string[] = [];
  for (const match of source.matchAll(/const\s*\{([^}]*)\}\s*=\s*await\s+loadUndici\(\)/g))
    for (const part of match[1]!.split(',')) {
      const name = part.split(':')[0]!.trim();
      if (name) names.push(name);
    }
  for (const match of source.matchAll(/const\s+(\w+)\s*=\s*await\s+loadUndici\(\)/g))
    for (const use of source.matchAll(new RegExp(`(?<![\\w.'/-])${match[1]!}\\.(\\w+)`, 'g'))) names.push(use[1]!);
  for (const match of source.matchAll(/loadUndici\(\)\.then\(\s*\(\{([^}]*)\}\)/g))
    for (const part of match[1]!.split(',')) if (part.trim()) names.push(part.split(':')[0]!.trim());
  return names;
}

describe('the lean undici of the CLI bundle', () => {
  const lean = require(join(root, 'scripts/build/undici-lean.cjs')) as Record<string, unknown>;
  const used = new Set(sourceFiles(join(root, 'src')).flatMap((file) => namesUsed(readFileSync(file, 'utf8'))));

  it('finds the uses (the scan itself works)', () => {
    expect(used).toContain('request');
    expect(used).toContain('Client');
  });

  it.each([...used].sort())('exports %s, as undici does', (name) => {
    const undici = require('undici') as Record<string, unknown>;
    expect(typeof lean[name], `${name} is used by src/ through loadUndici()`).toBe(typeof undici[name]);
    expect(lean[name]).toBeDefined();
  });
});
