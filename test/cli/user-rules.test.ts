/**
 * `--rules <module>`: user rules and collectors from a JS or TS module, through the built CLI. The worked example of
 * docs/writing-rules.md (docs/examples/minimum-version.ts: a collector and a rule, TypeScript, loaded through tsx) is
 * loaded byte for byte from a project that has plex-diagnose installed (this run's build), and must fire against the
 * fake server; `--rule <id>=off|warning|error` and `--only <category>` apply to it like to the built-in rules.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './paths.js';
import { cliDist, createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { startFakePlexServer } from '../../src/testing/index.js';
import { startHome, type Home } from './helpers/home.js';
import { findings, parseReport } from './helpers/report-shape.js';

const EXAMPLE = join(REPO_ROOT, 'docs/examples/minimum-version.ts');
const RULE = 'example/minimum-server-version';

let home: Home;
let sandbox: CliSandbox;
/** A user's project: plex-diagnose installed (a link to this run's build), the example copied in. */
let project: string;
let example: string;
beforeAll(async () => {
  [home, sandbox] = await Promise.all([startHome(), createSandbox()]);
  // Inside the build folder, so zod and tsx resolve from the repository's node_modules as from a user's.
  project = join(cliDist(), `project-${process.pid}`);
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  symlinkSync(cliDist(), join(project, 'node_modules', 'plex-diagnose'), 'dir');
  example = join(project, 'minimum-version.ts');
  copyFileSync(EXAMPLE, example);
});
afterAll(async () => {
  await home?.close();
  await sandbox?.cleanup();
});

const run = (args: string[]) => sandbox.run(home.args(['--token', home.token, '--rules', example, ...args]));

describe.concurrent('the worked example of docs/writing-rules.md', () => {
  it('is loaded from its TypeScript source and fires against the fake server (version 1.41.3 < 1.42.0)', async () => {
    expect(readFileSync(example, 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
    const result = await run(['--json']);
    const report = parseReport(result.stdout);
    expect(findings(report)).toEqual([`${RULE}/tooOld`]);
    expect(report.diagnoses[0]).toMatchObject({
      severity: 'warning',
      category: 'house-rules',
      message:
        'Plex Media Server 1.41.3.9314-a0bfb8370 is older than 1.42.0, the oldest version this household accepts.',
      evidence: [
        { source: 'example.serverVersion', observed: 'version 1.41.3.9314-a0bfb8370', expected: '1.42.0 or later' },
      ],
    });
    expect(report.observations.find((o) => o.id === 'example.serverVersion')).toMatchObject({ status: 'ok' });
    // A warning: exit 0 under the default --fail-on error.
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(home.token);
  });

  it('shows in the text report with its fix, and fails the run with --fail-on warning', async () => {
    const result = await run(['--no-color', '--fail-on', 'warning']);
    expect(result.stdout).toContain(`! ${RULE}  Plex Media Server 1.41.3.9314-a0bfb8370 is older than 1.42.0`);
    expect(result.stdout).toContain('→ Fix: Update Plex Media Server to 1.42.0 or later');
    expect(result.code).toBe(1);
  });

  it('--rule sets its level: off, error', async () => {
    const [off, error] = await Promise.all([
      run(['--json', '--rule', `${RULE}=off`]),
      run(['--json', '--rule', `${RULE}=error`]),
    ]);
    const offReport = parseReport(off.stdout);
    expect(findings(offReport)).toEqual([]);
    expect(offReport.checks.find((c) => c.ruleId === RULE)?.status).toBe('off');
    // Turned off, nothing needs its collector: it is not run at all.
    expect(offReport.observations.map((o) => o.id)).not.toContain('example.serverVersion');
    expect(off.code).toBe(0);
    expect(parseReport(error.stdout).diagnoses[0]).toMatchObject({ ruleId: RULE, severity: 'error' });
    expect(error.code).toBe(1);
  });

  it('--only its category runs only it, and only the collector it needs', async () => {
    const result = await run(['--json', '--only', 'house-rules']);
    const report = parseReport(result.stdout);
    expect(report.checks.map((c) => c.ruleId)).toEqual([RULE]);
    expect(report.observations.map((o) => o.id)).toEqual(['example.serverVersion']);
  });

  it('--only a built-in category leaves it out', async () => {
    const result = await run(['--json', '--only', 'port-forwarding,dns']);
    const report = parseReport(result.stdout);
    expect(new Set(report.checks.map((c) => c.category))).toEqual(new Set(['port-forwarding', 'dns']));
    expect(report.observations.map((o) => o.id)).not.toContain('example.serverVersion');
  });

  it('rules --rules lists it with its severity and category', async () => {
    const [text, json] = await Promise.all([
      sandbox.run(['rules', '--rules', example]),
      sandbox.run(['rules', '--json', '--rules', example]),
    ]);
    expect(text.stdout).toMatch(
      new RegExp(
        `^${RULE} +warning +house-rules +Plex Media Server is at least the version this household requires$`,
        'm',
      ),
    );
    const list = JSON.parse(json.stdout) as { id: string; requires: string[] }[];
    expect(list.at(-1)).toMatchObject({ id: RULE, requires: ['example.serverVersion'] });
  });

  it('collect --rules keeps its observation in the snapshot; analyze --rules validates it and fires', async () => {
    const file = join(sandbox.dir, 'with-example.json');
    const collected = await sandbox.run([
      'collect',
      ...home.args(['--token', home.token, '--rules', example, '-o', file]),
    ]);
    expect(collected.code).toBe(0);
    const analyzed = await sandbox.run(['analyze', file, '--rules', example, '--json']);
    expect(findings(parseReport(analyzed.stdout))).toEqual([`${RULE}/tooOld`]);
    // A snapshot whose value does not match the collector's zod schema is refused before the rule reads it.
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { observations: Record<string, { value: unknown }> };
    snapshot.observations['example.serverVersion']!.value = { raw: '1.41.3', parts: 'one, forty-one' };
    writeFileSync(file, JSON.stringify(snapshot));
    const refused = await sandbox.run(['analyze', file, '--rules', example]);
    expect(refused.stderr).toMatch(
      /^plex-diagnose: the snapshot has values of the wrong shape \(.*example\.serverVersion/,
    );
    expect(refused.code).toBe(2);
  });

  it('is what docs/writing-rules.md shows: the code blocks are the files, the output block is what the CLI prints', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/writing-rules.md'), 'utf8');
    for (const name of ['minimum-version.ts', 'minimum-version.test.ts']) {
      const block = new RegExp(`<!-- example:${name.replace('.', '\\.')} -->\n\`\`\`ts\n([\\s\\S]*?)\`\`\`\n`).exec(
        doc,
      )?.[1];
      expect(block, name).toBe(readFileSync(join(REPO_ROOT, 'docs/examples', name), 'utf8'));
    }
    const shown =
      /Against a server running 1\.41\.3 it reports \(text output, colour off\):\n\n```\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(shown).toBeDefined();
    const result = await run(['--no-color']);
    expect(result.stdout).toContain(shown);
  });

  it('typechecks, ObservationValues augmentation included (the package name mapped to the source)', async () => {
    // tsc in a child process: compiling in this one would stall the fakes the concurrent tests talk to.
    const tsconfig = join(project, 'tsconfig.examples.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: join(REPO_ROOT, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          paths: {
            'plex-diagnose': [join(REPO_ROOT, 'src/index.ts')],
            'plex-diagnose/testing': [join(REPO_ROOT, 'src/testing/index.ts')],
          },
        },
        include: [],
        files: [EXAMPLE, join(REPO_ROOT, 'docs/examples/minimum-version.test.ts')],
      }),
    );
    const tsc = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig], {
        cwd: REPO_ROOT,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  });
});

describe.concurrent('modules that go wrong', () => {
  const write = (name: string, content: string): string => {
    const file = join(project, name);
    writeFileSync(file, content);
    return file;
  };
  const RULE_JS = (evaluate: string, extra = '') =>
    `export default { id: 'local/crash', meta: { severity: 'error', category: 'local', title: 'A local rule', requires: [], messages: { m: 'msg' }${extra} }, evaluate(ctx) { ${evaluate} } };\n`;

  it('a rule that throws is reported as crashed; the run goes on and the exit code follows the other findings', async () => {
    const file = write('crash.mjs', RULE_JS("throw new Error('rule bug: ' + typeof ctx.get);"));
    const result = await sandbox.run(home.args(['--token', home.token, '--rules', file, '--no-color']));
    expect(result.stdout).toMatch(/\[☠\] local \.+ /);
    const json = await sandbox.run(home.args(['--token', home.token, '--rules', file, '--json']));
    const check = parseReport(json.stdout).checks.find((c) => c.ruleId === 'local/crash');
    expect(check).toMatchObject({ status: 'crashed' });
    expect(check?.reason).toContain('rule bug: function');
    expect([result.code, json.code]).toEqual([0, 0]);
  });

  it('a collector that throws: its observation failed, the rule that needs it skipped with the reason', async () => {
    const file = write(
      'bad-collector.mjs',
      `export const collectors = [{ id: 'local.broken', title: 'Broken', async collect() { throw new Error('router said no'); } }];\n` +
        `export const rules = [{ id: 'local/needs-broken', meta: { severity: 'error', category: 'local', title: 'Needs it', requires: ['local.broken'], messages: { m: 'x' } }, evaluate() {} }];\n`,
    );
    const result = await sandbox.run(home.args(['--token', home.token, '--rules', file, '--json']));
    const report = parseReport(result.stdout);
    expect(report.observations.find((o) => o.id === 'local.broken')).toMatchObject({ status: 'failed' });
    expect(report.checks.find((c) => c.ruleId === 'local/needs-broken')).toMatchObject({ status: 'not-checked' });
    expect(result.code).toBe(0);
  });

  it.each([
    ['a missing file', () => join(project, 'nope.ts'), /^plex-diagnose: --rules .*nope\.ts: no such file$/],
    [
      'a module that throws when loaded',
      () => write('throws.mjs', "throw new Error('boom at load');\n"),
      /^plex-diagnose: --rules .*throws\.mjs: the module failed to load \(boom at load\)$/,
    ],
    [
      'a TypeScript module with a syntax error',
      () => write('broken.ts', 'export const rules = [;\n'),
      /^plex-diagnose: --rules .*broken\.ts: the module failed to load \(/,
    ],
    [
      'a module without rules or collectors',
      () => write('empty.mjs', 'export const nothing = 1;\n'),
      /^plex-diagnose: --rules .*empty\.mjs: the module exports no rules or collectors$/,
    ],
    [
      'a rule without messages',
      () =>
        write(
          'shape.mjs',
          "export default { id: 'local/x', meta: { severity: 'error', category: 'local', title: 't', requires: [] }, evaluate() {} };\n",
        ),
      /^plex-diagnose: --rules .*shape\.mjs: rule #1 is not valid \(meta\.messages: /,
    ],
    [
      'a rule with an unknown severity',
      () => write('severity.mjs', RULE_JS('', '').replace("severity: 'error'", "severity: 'fatal'")),
      /^plex-diagnose: --rules .*severity\.mjs: rule #1 is not valid \(meta\.severity: /,
    ],
  ] as const)('%s: exit 2 with the reason, before any probing', async (_name, make, reason) => {
    const file = make();
    // A server of its own, to show the run never asked it anything.
    const server = await startFakePlexServer();
    try {
      const result = await sandbox.run(['--url', server.url, '--no-plextv', '--rules', file]);
      expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(reason);
      expect(result.code).toBe(2);
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
