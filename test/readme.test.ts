// The README is the first thing a newcomer runs: its commands must exist and its library example must import real exports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../src/index.js';
import * as testing from '../src/testing/index.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

describe('README', () => {
  it('starts with the demo command and the test command, both real scripts', () => {
    const firstScreen = readme.split('\n').slice(0, 12).join('\n');
    expect(firstScreen).toContain('npm run demo');
    expect(firstScreen).toContain('npm test');
    expect(scripts.demo).toBeDefined();
    expect(scripts.test).toBeDefined();
    expect(scripts['test:lab']).toBeDefined();
  });

  it('imports only names the package exports', () => {
    const imports = [...readme.matchAll(/import \{([^}]+)\} from '(plex-diagnose(?:\/testing)?)'/g)];
    expect(imports.length).toBeGreaterThan(0);
    for (const [, names, from] of imports) {
      const module = from === 'plex-diagnose' ? library : testing;
      for (const name of names!
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)) {
        expect(Object.keys(module), `${name} from ${from}`).toContain(name);
      }
    }
  });
});
