/** FIXABLE_PREFS is exactly the set of prefs the built-in rules' fix actions name: undo refuses everything else. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXABLE_PREFS } from '../../src/fix/fixable.js';
import { REPO_ROOT } from '../cli/paths.js';

describe('FIXABLE_PREFS', () => {
  it('names every pref a built-in rule asks fix to change, and nothing else', () => {
    const dir = join(REPO_ROOT, 'src/rules/builtin');
    const asked = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const match of text.matchAll(/type: '(?:set-pref|edit-list)'(?: as const)?,\s*pref: '([^']+)'/g))
        asked.add(match[1]!);
      for (const match of text.matchAll(/const \w+ = \{ type: 'set-pref' as const, pref: '([^']+)'/g))
        asked.add(match[1]!);
    }
    // customConnections is asked through a multi-line literal in custom-url-problem.ts.
    if (/pref: 'customConnections'/.test(readFileSync(join(dir, 'custom-url-problem.ts'), 'utf8')))
      asked.add('customConnections');
    expect([...asked].sort()).toEqual([...FIXABLE_PREFS].sort());
  });
});
