/**
 * The public surface is a decision: the root entry stays small (at most 80 names, runtime values and types counted),
 * every entry names each export (no `export *`, which leaked an internal sleep helper once), and the entry list of
 * tsup.config.ts, package.json "exports"/"typesVersions" and the test aliases agree. api/*.api.md (npm run api:check)
 * tracks what the names are; this file tracks how many and where.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LIBRARY_ENTRIES } from '../tsup.config.js';
import { packageAliases } from '../vitest.config.js';

const root = join(import.meta.dirname, '..');
const ROOT_EXPORT_LIMIT = 80;
const subpaths = Object.keys(LIBRARY_ENTRIES).filter((entry) => entry !== 'index');

// One program over every entry (type-checking them one by one would build eight).
let program: ts.Program | undefined;

/** Every name an entry exports (a zod schema and its inferred type share one name, counted once). */
function exportedNames(entryFile: string): string[] {
  program ??= ts.createProgram(
    Object.values(LIBRARY_ENTRIES).map((file) => join(root, file)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
    },
  );
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(join(root, entryFile))!;
  return checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((symbol) => symbol.name);
}

describe('the public surface', () => {
  it(`the root entry exports at most ${ROOT_EXPORT_LIMIT} names`, () => {
    const names = exportedNames(LIBRARY_ENTRIES.index);
    expect(names).toContain('diagnose');
    expect(names).toContain('Report');
    expect(names.length).toBeLessThanOrEqual(ROOT_EXPORT_LIMIT);
  });

  it('the root leaves clients, probes, this-host, watch, fix and experiments to their subpaths', () => {
    const names = new Set(exportedNames(LIBRARY_ENTRIES.index));
    for (const moved of ['createServerClient', 'probeTcp', 'discoverToken', 'runWatch', 'planFix', 'httpRequest'])
      expect(names.has(moved), moved).toBe(false);
    expect(names.has('runAlternatePortExperiment')).toBe(false);
  });

  it.each(Object.entries(LIBRARY_ENTRIES))('%s names every export (no `export *`)', (_entry, file) => {
    const text = readFileSync(join(root, file), 'utf8');
    expect(text).not.toMatch(/^\s*export\s+(type\s+)?\*/m);
  });

  it('no subpath leaks the internal sleep helper', () => {
    expect(exportedNames(LIBRARY_ENTRIES.watch)).not.toContain('abortableSleep');
  });

  it('package.json exports, typesVersions and the vitest aliases list exactly the entries of tsup.config.ts', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      typesVersions: Record<string, Record<string, string[]>>;
    };
    expect(Object.keys(pkg.exports).sort()).toEqual(
      ['.', './package.json', ...subpaths.map((entry) => `./${entry}`)].sort(),
    );
    for (const entry of subpaths) {
      expect(pkg.exports[`./${entry}`]).toEqual({
        import: { types: `./dist/${entry}.d.ts`, default: `./dist/${entry}.js` },
        require: { types: `./dist/${entry}.d.cts`, default: `./dist/${entry}.cjs` },
      });
      // TypeScript's node10 resolution (moduleResolution "node") ignores "exports": typesVersions points it at the types.
      expect(pkg.typesVersions['*']![entry]).toEqual([`./dist/${entry}.d.cts`]);
    }
    expect(packageAliases.map(({ find }) => find).sort()).toEqual(
      ['plex-diagnose', ...subpaths.map((entry) => `plex-diagnose/${entry}`)].sort(),
    );
  });
});
