/** The commands that read rather than diagnose: discover, rules, explain, demo. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GdmDiscovery } from '../../src/probes/gdm.js';
import { builtinRules } from '../../src/rules/builtin/index.js';
import { HEADER_END } from '../../src/rules/docs-header.js';
import { scenarios } from '../../src/testing/scenarios/index.js';
import { startFakeGdm, type FakeGdm } from '../../src/testing/index.js';
import { REPO_ROOT } from './paths.js';
import { createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { findings, parseReport } from './helpers/report-shape.js';
import { scrub } from './helpers/scrub.js';

let sandbox: CliSandbox;
let gdm: FakeGdm;
const BASEMENT = { machineIdentifier: 'b'.repeat(40), name: 'Basement', port: 32400, version: '1.41.3.9314-a0bfb8370' };
const ATTIC = { machineIdentifier: 'a'.repeat(40), name: 'Attic', port: 32401, version: '1.40.0.7998-c29d4c0c8' };
beforeAll(async () => {
  sandbox = await createSandbox();
  gdm = await startFakeGdm({ servers: [BASEMENT, ATTIC], extraReplies: ['garbage that is not a GDM reply'] });
});
afterAll(async () => {
  await gdm?.close();
  await sandbox?.cleanup();
});

describe.concurrent('discover', () => {
  it('lists each server GDM finds: name, URL, machine identifier, version', async () => {
    const result = await sandbox.run(['discover', '--gdm-target', `127.0.0.1:${gdm.port}`, '--timeout', '500ms']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').sort();
    expect(lines).toEqual([
      `Attic  http://127.0.0.1:32401  ${ATTIC.machineIdentifier}  ${ATTIC.version}`,
      `Basement  http://127.0.0.1:32400  ${BASEMENT.machineIdentifier}  ${BASEMENT.version}`,
    ]);
  });

  it('--json prints the discovery (servers, targets, send errors, ignored replies)', async () => {
    const result = await sandbox.run([
      'discover',
      '--json',
      '--gdm-target',
      `127.0.0.1:${gdm.port}`,
      '--timeout',
      '500ms',
    ]);
    expect(result.code).toBe(0);
    const discovery = GdmDiscovery.parse(JSON.parse(result.stdout));
    expect(discovery.servers.map((s) => s.name).sort()).toEqual(['Attic', 'Basement']);
    expect(discovery.targets).toEqual([`127.0.0.1:${gdm.port}`]);
    expect(discovery.ignoredReplies).toBeGreaterThanOrEqual(1);
  });

  it('a search that cannot be sent at all: exit 1, in text and in --json', async () => {
    const [text, json] = await Promise.all([
      sandbox.run(['discover', '--gdm-target', 'nonexistent.invalid:32414', '--timeout', '300ms']),
      sandbox.run(['discover', '--json', '--gdm-target', 'nonexistent.invalid:32414', '--timeout', '300ms']),
    ]);
    expect(text.stderr).toBe('GDM discovery failed: could not send the GDM search to any target (ENOTFOUND)\n');
    expect(JSON.parse(json.stdout)).toMatchObject({ servers: [], error: { code: 'ENOTFOUND' } });
    expect([text.code, json.code]).toEqual([1, 1]);
  });

  it('says so when nobody answers within --timeout, and still exits 0', async () => {
    const silent = await startFakeGdm({ servers: [] });
    try {
      const result = await sandbox.run(['discover', '--gdm-target', `127.0.0.1:${silent.port}`, '--timeout', '300ms']);
      expect(result.stdout).toBe(
        `No Plex server answered GDM discovery within 300 ms (sent to 127.0.0.1:${silent.port}).\n`,
      );
      expect(result.code).toBe(0);
      expect(silent.searches).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });
});

describe.concurrent('rules', () => {
  it('lists every built-in rule with its severity and category', async () => {
    const result = await sandbox.run(['rules']);
    expect(result.code).toBe(0);
    for (const rule of builtinRules) {
      expect(result.stdout).toMatch(
        new RegExp(
          `^${rule.id} +${rule.meta.severity} +${rule.meta.category} +${rule.meta.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
          'm',
        ),
      );
    }
    expect(result.stdout).toContain(`\n${builtinRules.length} rules. \`plex-diagnose explain <rule-id>\``);
  });

  it('--json lists the same, with what each rule requires and its message ids', async () => {
    const result = await sandbox.run(['rules', '--json']);
    const list = JSON.parse(result.stdout) as {
      id: string;
      severity: string;
      category: string;
      requires: string[];
      messages: string[];
    }[];
    expect(list.map((r) => r.id)).toEqual(builtinRules.map((r) => r.id));
    const isp = list.find((r) => r.id === 'isp-blocks-port')!;
    expect(isp).toMatchObject({ severity: 'error', category: 'port-forwarding', requires: [] });
    expect(isp.messages).toEqual(expect.arrayContaining(['proven', 'likely', 'inboundBlocked']));
  });
});

describe.concurrent('explain', () => {
  it('prints the rule, its documentation and its messages', async () => {
    const result = await sandbox.run(['explain', 'isp-blocks-port']);
    expect(result.code).toBe(0);
    expect(
      result.stdout.startsWith(
        'isp-blocks-port (error, port-forwarding): Nothing upstream of the router filters the public port\n\n',
      ),
    ).toBe(true);
    // The hand-written part of docs/rules/isp-blocks-port.md, not its generated header (the messages follow it instead).
    const doc = readFileSync(join(REPO_ROOT, 'docs/rules/isp-blocks-port.md'), 'utf8');
    const prose = doc.slice(doc.indexOf(HEADER_END) + HEADER_END.length).trim();
    expect(result.stdout).toContain(prose.split('\n').slice(0, 3).join('\n'));
    expect(result.stdout).not.toContain('begin generated header');
    expect(result.stdout).toContain('\nMessages:\n  proven: Inbound TCP {{port}} is blocked');
  });

  it('an unknown id is a usage error that points at `rules`, with the ids that share a word', async () => {
    const [close, unrelated] = await Promise.all([
      sandbox.run(['explain', 'isp-blocks']),
      sandbox.run(['explain', 'nosuch']),
    ]);
    expect(close.stderr).toBe(
      'plex-diagnose: no rule "isp-blocks" (did you mean host-firewall-blocks-port, isp-blocks-port?); `plex-diagnose rules` lists them\n',
    );
    expect(close.code).toBe(2);
    expect(unrelated.stderr).toBe('plex-diagnose: no rule "nosuch"; `plex-diagnose rules` lists them\n');
    expect(unrelated.code).toBe(2);
  });
});

describe.concurrent('demo', () => {
  it('runs the default scenario (the ISP blocking 32400): the report, exit 0, what it simulates and what a real run would exit on stderr', async ({
    expect,
  }) => {
    const result = await sandbox.run(['demo', '--no-color']);
    // A demo that ran as intended succeeds (`npm ci && npm run demo && npm test` must go on); the verdict's exit code is told.
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'demo: a real run with this report would exit 1 (findings at or above --fail-on error); the demo itself exits 0: it ran as intended\n',
    );
    expect(result.stderr).toContain('demo: The ISP filters inbound port 32400\n');
    expect(result.stderr).toContain('simulated: a fake Plex server and a fake plex.tv on this machine');
    expect(result.stdout).toContain('Root cause\n✗ isp-blocks-port');
    // The scenario's own token (random per run, "scenario-<hex>") is never printed either.
    expect(result.stdout + result.stderr).not.toMatch(/scenario-[0-9a-f]{32}/);
    await expect(scrub(result.stdout)).toMatchFileSnapshot('__snapshots__/demo.txt');
  });

  it('runs a named scenario: healthy, where a real run would exit 0 too', async () => {
    const result = await sandbox.run(['demo', 'healthy', '--no-color']);
    expect(result.stdout).toContain('No problems found.');
    expect(result.stderr).toContain(
      'demo: a real run with this report would exit 0 (no finding at or above --fail-on error)',
    );
    expect(result.code).toBe(0);
  });

  it('--json: the Report of the scenario, with its expected root cause first', async () => {
    const result = await sandbox.run(['demo', 'cgnat', '--json']);
    const report = parseReport(result.stdout);
    expect(findings(report)[0]).toBe('cgnat/sharedAddressSpace');
    expect(report.diagnoses[0]!.rank).toBe('root-cause');
    expect(result.stderr).toContain('demo: a real run with this report would exit 1');
    expect(result.code).toBe(0);
  });

  it('--list names every scenario with its title', async () => {
    const result = await sandbox.run(['demo', '--list']);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toEqual(
      Object.values(scenarios).map((s) => `${s.name.padEnd(24)} ${s.title}`),
    );
  });

  it('--markdown and --fail-on work there too', async () => {
    const result = await sandbox.run(['demo', 'dns-rebinding', '--markdown', '--fail-on', 'warning']);
    expect(result.stdout).toContain('```mermaid');
    expect(result.stdout).toContain('`plex-direct-dns-rebinding`');
    // A warning only: a real run exits 1 with --fail-on warning (0 by default); the demo exits 0 either way.
    expect(result.stderr).toContain(
      'demo: a real run with this report would exit 1 (findings at or above --fail-on warning)',
    );
    expect(result.code).toBe(0);
  });
});
