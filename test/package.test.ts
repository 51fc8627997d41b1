// The package loads the way users load it: ESM import and CJS require of the built files, every entry point.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIBRARY_ENTRIES } from '../tsup.config.js';

const root = join(import.meta.dirname, '..');
const entries = Object.keys(LIBRARY_ENTRIES);
const built = entries.every((entry) => existsSync(join(root, 'dist', `${entry}.cjs`)));
const specifier = (entry: string) => (entry === 'index' ? 'plex-diagnose' : `plex-diagnose/${entry}`);

/** One function each entry must export: proof that the specifier reached that entry, not another. */
const PROBE: Record<keyof typeof LIBRARY_ENTRIES, string> = {
  index: 'diagnose',
  clients: 'createServerClient',
  probes: 'probeTcp',
  'this-host': 'discoverToken',
  watch: 'runWatch',
  fix: 'planFix',
  experiments: 'runAlternatePortExperiment',
  outside: 'startReflector',
  testing: 'startFakePlexServer',
};

function node(code: string, type: 'module' | 'commonjs'): string {
  return execFileSync(
    process.execPath,
    [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code],
    { cwd: root, encoding: 'utf8', timeout: 20_000 },
  );
}

// Prints `<specifier> <typeof probe> <export count>` per entry.
const listing = (load: (spec: string) => string) =>
  entries
    .map(
      (entry) =>
        `{ const m = ${load(specifier(entry))}; console.log(${JSON.stringify(specifier(entry))}, typeof m[${JSON.stringify(PROBE[entry as keyof typeof PROBE])}], Object.keys(m).length); }`,
    )
    .join('\n');

// `npm run build` runs before `npm test` in CI (.ci/run); locally without a build there is nothing to load yet.
describe.skipIf(!built)('the built package', () => {
  it('every entry point loads with ESM import and with CJS require, by the package name, with the same names', () => {
    const esm = node(
      listing((spec) => `await import('${spec}')`),
      'module',
    );
    const cjs = node(
      listing((spec) => `require('${spec}')`),
      'commonjs',
    );
    const lines = esm.trim().split('\n');
    expect(lines.map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual(
      entries.map((entry) => `${specifier(entry)} function`),
    );
    for (const line of lines) expect(Number(line.split(' ')[2])).toBeGreaterThan(0);
    // A CJS copy that dropped or added a name would be a second, diverging API.
    expect(cjs).toBe(esm);
  });

  it('the root reports its version in both formats', () => {
    expect(node("console.log((await import('plex-diagnose')).VERSION)", 'module').trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(node("console.log(require('plex-diagnose').VERSION)", 'commonjs').trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  // An error thrown by a subpath must be the root's class: a CJS build that inlined its own copy per entry would
  // make `instanceof UsageError` false for a user who requires both (tsup splits CJS chunks for this).
  it.each(['module', 'commonjs'] as const)('errors from a subpath are instances of the root classes (%s)', (type) => {
    const load = (spec: string) => (type === 'module' ? `await import('${spec}')` : `require('${spec}')`);
    const code = `const root = ${load('plex-diagnose')}; const clients = ${load('plex-diagnose/clients')};
      try { clients.normalizeServerBaseUrl('not a url'); console.log('no error'); }
      catch (error) { console.log(error instanceof root.UsageError, error instanceof root.PlexDiagnoseError, error.code); }`;
    const wrapped = type === 'module' ? code : `(async () => { ${code} })()`;
    expect(node(wrapped, type).trim()).toBe('true true PLEXDIAG_USAGE');
  });

  it('classifies the same way from both builds (one shared implementation, not two diverging copies)', () => {
    const esm = node(
      "const { classifyAddress } = await import('plex-diagnose/probes'); console.log(['100.64.0.2','192.168.1.1','84.1.1.2'].map(classifyAddress).join())",
      'module',
    );
    const cjs = node(
      "const { classifyAddress } = require('plex-diagnose/probes'); console.log(['100.64.0.2','192.168.1.1','84.1.1.2'].map(classifyAddress).join())",
      'commonjs',
    );
    expect(esm).toBe(cjs);
    expect(esm.trim()).toBe('cgnat,private,public');
  });

  it('the built package ships no source maps', () => {
    const js = node(
      "const fs = require('fs'); console.log(fs.readdirSync('dist').filter((f) => f.endsWith('.map')).length, fs.readFileSync('dist/index.js', 'utf8').includes('sourceMappingURL'))",
      'commonjs',
    );
    expect(js.trim()).toBe('0 false');
  });
});
