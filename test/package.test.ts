// The package loads the way users load it: ESM import and CJS require of the built files, both entries.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const built = existsSync(join(root, 'dist', 'index.cjs')) && existsSync(join(root, 'dist', 'testing.js'));

function node(code: string, type: 'module' | 'commonjs'): string {
  return execFileSync(
    process.execPath,
    [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code],
    { cwd: root, encoding: 'utf8', timeout: 20_000 },
  );
}

// `npm run build` runs before `npm test` in CI (.ci/run); locally without a build there is nothing to load yet.
describe.skipIf(!built)('the built package', () => {
  it('loads with ESM import, by its own name, both entries', () => {
    const out = node(
      "const lib = await import('plex-diagnose'); const t = await import('plex-diagnose/testing'); console.log(typeof lib.diagnose, typeof lib.createServerClient, typeof t.startFakePlexServer, lib.VERSION)",
      'module',
    );
    expect(out.trim()).toMatch(/^function function function \d+\.\d+\.\d+/);
  });

  it('loads with CJS require, both entries', () => {
    const out = node(
      "const lib = require('plex-diagnose'); const t = require('plex-diagnose/testing'); console.log(typeof lib.diagnose, typeof lib.builtinRules.length, typeof t.startFakePlexTv)",
      'commonjs',
    );
    expect(out.trim()).toBe('function number function');
  });

  it('classifies the same way from both builds (one shared implementation, not two diverging copies)', () => {
    const esm = node(
      "const { classifyAddress } = await import('plex-diagnose'); console.log(['100.64.0.2','192.168.1.1','84.1.1.2'].map(classifyAddress).join())",
      'module',
    );
    const cjs = node(
      "const { classifyAddress } = require('plex-diagnose'); console.log(['100.64.0.2','192.168.1.1','84.1.1.2'].map(classifyAddress).join())",
      'commonjs',
    );
    expect(esm).toBe(cjs);
    expect(esm.trim()).toBe('cgnat,private,public');
  });
});
