// The README is the first thing a newcomer runs: its commands must exist and its library example must import real exports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as library from '../src/index.js';
import * as clients from '../src/clients/index.js';
import * as probes from '../src/probes/index.js';
import * as thisHost from '../src/this-host/index.js';
import * as watch from '../src/watch/index.js';
import * as fix from '../src/fix/index.js';
import * as experiments from '../src/experiments/index.js';
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

  it.each(['README.md', 'docs/api.md'])(
    '%s imports only names the package exports, from the entry that exports them',
    (file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const entries: Record<string, object> = {
        'plex-diagnose': library,
        'plex-diagnose/clients': clients,
        'plex-diagnose/probes': probes,
        'plex-diagnose/this-host': thisHost,
        'plex-diagnose/watch': watch,
        'plex-diagnose/fix': fix,
        'plex-diagnose/experiments': experiments,
        'plex-diagnose/testing': testing,
      };
      const imports = [...text.matchAll(/import \{([^}]+)\} from '(plex-diagnose(?:\/[a-z-]+)?)'/g)];
      expect(imports.length).toBeGreaterThan(0);
      for (const [, names, from] of imports) {
        const module = entries[from!];
        expect(module, `${from} is an entry point`).toBeDefined();
        for (const name of names!
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n && !n.startsWith('type '))) {
          expect(Object.keys(module!), `${name} from ${from}`).toContain(name);
        }
      }
    },
  );
});
