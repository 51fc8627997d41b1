/**
 * docs/cli.md against the CLI itself: every command with its options table exactly as options.ts has it, every exit
 * code, every environment variable the CLI reads or sets for --exec, and the demo output as the built CLI prints it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/command-table.js';
import type { Alert } from '../../src/watch/alert.js';
import { alertEnvironment } from '../../src/watch/exec.js';
import { REPO_ROOT } from './paths.js';
import { optionsTable } from './helpers/cli-doc.js';
import { createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { scrub } from './helpers/scrub.js';

const doc = readFileSync(join(REPO_ROOT, 'docs/cli.md'), 'utf8');

/** The text of a `### name` section, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const start = doc.indexOf(`\n### ${heading}\n`);
  expect(start, `section ### ${heading}`).toBeGreaterThan(0);
  const rest = doc.slice(start + 1);
  const end = rest.slice(4).search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end + 4);
}

let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox?.cleanup());

describe('docs/cli.md', () => {
  it.each(COMMANDS.map((c) => c.name))('documents %s: usage and every option, as options.ts has them', (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    const text = section(name);
    expect(text).toContain(`\`${spec.usage}\``);
    expect(text).toContain(optionsTable(name));
  });

  it('lists every exit code the CLI uses', () => {
    const table = doc.slice(doc.indexOf('## Exit codes'), doc.indexOf('## Environment variables'));
    for (const code of [0, 1, 2, 3, 130]) expect(table).toMatch(new RegExp(`\\n\\| ${code} \\| `));
  });

  it('lists every environment variable the CLI reads', () => {
    const table = doc.slice(doc.indexOf('## Environment variables'), doc.indexOf('## Which server, which token'));
    const fromOptions = COMMANDS.flatMap((c) => c.options).flatMap((o) => (o.env ? [o.env] : []));
    for (const name of new Set([
      ...fromOptions,
      'PLEX_TOKEN',
      'PLEX_URL',
      'PLEX_DIAGNOSE_PLEXTV_URL',
      'PLEX_DIAGNOSE_CONFIG_DIR',
      'PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR',
      'NO_COLOR',
    ])) {
      expect(table).toContain(`| \`${name}\` |`);
    }
  });

  it('lists every variable --exec commands get, and says PLEX_TOKEN is not one', () => {
    const alert: Alert = {
      kind: 'problem',
      at: '2026-01-01T00:00:00.000Z',
      state: { status: 'problem', causes: [] },
      previous: null,
      causes: [],
      summary: 's',
    };
    const names = Object.keys(alertEnvironment(alert, {})).filter((key) => key.startsWith('PLEX_DIAGNOSE_ALERT_'));
    expect(names.length).toBeGreaterThan(5);
    const exec = doc.slice(doc.indexOf('#### `--exec <command>`'), doc.indexOf('### fix'));
    for (const name of names) expect(exec).toContain(`| \`${name}\` |`);
    expect(exec).toContain('**without\n`PLEX_TOKEN`**');
  });

  it('describes each notify format and the fragment override', () => {
    const notify = doc.slice(doc.indexOf('#### `--notify <url>`'), doc.indexOf('#### `--exec <command>`'));
    for (const text of ['Discord', 'Slack', 'ntfy', 'JSON', '#ntfy', '#discord', '#slack', '#json'])
      expect(notify).toContain(text);
  });

  it('shows the demo output the built CLI prints', async () => {
    const shown = /<!-- demo-output -->\n```\n\$ plex-diagnose demo --no-color\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(shown).toBeDefined();
    const result = await sandbox.run(['demo', '--no-color']);
    expect(scrub(shown!)).toBe(scrub(result.stdout));
  });
});
