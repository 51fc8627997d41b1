/**
 * Issue 12 through the built CLI: a run whose deciding checks could not run is "Inconclusive" with exit 4 (never "No
 * problems found", exit 0), and the differential of candidate causes shows in text, --json and --markdown.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { fixturePath } from '../fixtures/cli/generate.js';
import { createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { parseReport } from './helpers/report-shape.js';

let sandbox: CliSandbox;
let dir: string;
const skipped = (reason: string) => ({ status: 'skipped', reason, durationMs: 0 });
const failed = (message: string) => ({ status: 'failed', error: { code: 'ENOIGD', message }, durationMs: 5 });

/** The healthy fixture as a run without a token sees it, and (optionally) what the user said. */
function writeSnapshot(name: string, change: (observations: Record<string, unknown>) => void): string {
  const snapshot = JSON.parse(readFileSync(fixturePath('healthy'), 'utf8')) as {
    context: { tokenProvided: boolean };
    observations: Record<string, unknown>;
  };
  snapshot.context.tokenProvided = false;
  for (const id of ['server.root', 'server.prefs', 'server.account', 'plextv.user', 'plextv.resources'])
    snapshot.observations[id] = skipped('no token: pass --token, set PLEX_TOKEN or run `plex-diagnose login`');
  change(snapshot.observations);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(snapshot));
  return file;
}

beforeAll(async () => {
  sandbox = await createSandbox();
  dir = mkdtempSync(join(tmpdir(), 'plexdiag-verdict-'));
});
afterAll(async () => {
  await sandbox.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('verdict and differential', () => {
  it('no token: inconclusive, exit 4, says what is missing and how to get it', async ({ expect }) => {
    const file = writeSnapshot('no-token', () => undefined);
    const text = await sandbox.run(['analyze', file, '--no-color']);
    expect(text.code).toBe(4);
    expect(text.stdout).not.toContain('No problems found');
    expect(text.stdout).toContain('Inconclusive: no problem found, but remote access could not be checked.');
    expect(text.stdout).toMatch(
      /mapping-failed, outside-reachability: needs server\.account, which was skipped: no token.* → give a token/,
    );
    const json = await sandbox.run(['analyze', file, '--json']);
    expect(json.code).toBe(4);
    expect(parseReport(json.stdout).verdict.status).toBe('inconclusive');
    expect((await sandbox.run(['analyze', file, '--fail-on', 'none'])).code).toBe(0);
  });

  it('you said it fails, the router cannot be read: the candidates in text, JSON and markdown', async ({ expect }) => {
    const file = writeSnapshot('says-fails', (o) => {
      o['probe.upnp'] = failed('no UPnP IGD answered');
      o['probe.natpmp'] = failed('no NAT-PMP answer');
      o['declared.remoteAccess'] = { status: 'ok', value: { via: 'flag', failsFromOutside: true }, durationMs: 0 };
    });
    const json = await sandbox.run(['analyze', file, '--json']);
    expect(json.code).toBe(4);
    const report = parseReport(json.stdout);
    const candidates = report.differential!.candidates;
    expect(candidates.map((c) => c.ruleId)).toEqual(expect.arrayContaining(['cgnat', 'double-nat']));
    for (const c of candidates) {
      expect(c.for.some((e) => e.declared)).toBe(true);
      expect(c.nextStep.text.length).toBeGreaterThan(10);
    }
    const text = await sandbox.run(['analyze', file, '--no-color']);
    expect(text.stdout).toContain('Possible causes (not decided by the evidence; most likely first)');
    expect(text.stdout).toContain('+ you said: remote access fails from outside');
    expect(text.stdout).toMatch(/→ (Open|Run): /);
    const md = await sandbox.run(['analyze', file, '--markdown']);
    expect(md.stdout).toContain('### Possible causes (most likely first)');
    expect(md.stdout).toContain('**Next step:**');
  });

  it('the help lists exit code 4', async ({ expect }) => {
    const help = await sandbox.run(['--help']);
    expect(help.stdout).toContain('4 inconclusive');
  });
});
