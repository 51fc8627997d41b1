/**
 * What the CLI prints: the text report with colour off (--no-color, NO_COLOR) and on (a terminal), --json (the
 * Report), --markdown (redacted, with the mermaid path), --redact-ips, --verbose, and the exit codes with --fail-on.
 *
 * The formats are checked on `analyze <fixture>`: analysis is pure, so a fixed snapshot (test/fixtures/cli, collected
 * from the scenario presets) prints the same on every machine, where a live run reports this host's own interfaces,
 * gateway and resolver. The live runs in the other files check that diagnose prints the same way.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { analyze, readSnapshot } from '../../src/diagnose/diagnose.js';
import { classifyAddress } from '../../src/core/net/address.js';
import { fixturePath } from '../fixtures/cli/generate.js';
import { createSandbox, hasScript, runCliInTerminal, type CliSandbox } from './helpers/run-cli.js';
import { scrubAnonymised } from './helpers/scrub.js';
import { findings, parseReport } from './helpers/report-shape.js';

const ISP = fixturePath('isp-blocks-32400');
const HEALTHY = fixturePath('healthy');
const WARNING_ONLY = fixturePath('dns-rebinding');
const ANSI = /\u001b\[/;
const PUBLIC_IP = '84.1.1.2';

let sandbox: CliSandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.cleanup());

describe.concurrent('text', () => {
  it('--no-color: the doctor-style report, exactly (snapshot)', async ({ expect }) => {
    const result = await sandbox.run(['analyze', ISP, '--no-color']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(ANSI);
    await expect(result.stdout).toMatchFileSnapshot('__snapshots__/analyze-isp-blocks-32400.txt');
  });

  it('NO_COLOR=1 prints the same as --no-color, and a healthy setup exits 0', async ({ expect }) => {
    const [flag, env] = await Promise.all([
      sandbox.run(['analyze', HEALTHY, '--no-color']),
      sandbox.run(['analyze', HEALTHY], { env: { NO_COLOR: '1' } }),
    ]);
    expect(env.stdout).toBe(flag.stdout);
    expect(env.stdout).not.toMatch(ANSI);
    expect(env.stdout).toMatch(/No problems found\. \d+ checks decided: \d+ passed, 0 failed, \d+ not checked/);
    expect([flag.code, env.code]).toEqual([0, 0]);
    await expect(env.stdout).toMatchFileSnapshot('__snapshots__/analyze-healthy.txt');
  });

  it.skipIf(!hasScript())('colour on a terminal, and none there with --no-color or NO_COLOR', async () => {
    const [plain, coloured, flag, env] = await Promise.all([
      sandbox.run(['analyze', ISP, '--no-color']),
      runCliInTerminal(['analyze', ISP], { env: sandbox.env() }),
      runCliInTerminal(['analyze', ISP, '--no-color'], { env: sandbox.env() }),
      runCliInTerminal(['analyze', ISP], { env: sandbox.env({ NO_COLOR: '1' }) }),
    ]);
    expect(coloured.stdout).toMatch(ANSI);
    // The red ✗ of the root cause.
    expect(coloured.stdout).toContain('\u001b[31m✗');
    expect(flag.stdout).not.toMatch(ANSI);
    expect(env.stdout).not.toMatch(ANSI);
    // Colour is the only difference from the output into a pipe.
    expect(flag.stdout.replace(/\r\n/g, '\n')).toBe(plain.stdout);
    expect(coloured.stdout.replace(/\u001b\[\d+(;\d+)*m/g, '').replace(/\r\n/g, '\n')).toBe(plain.stdout);
  });

  it('--verbose adds every check by rule id and every observation with its time', async () => {
    const [plain, verbose] = await Promise.all([
      sandbox.run(['analyze', ISP, '--no-color']),
      sandbox.run(['analyze', ISP, '--no-color', '--verbose']),
    ]);
    const snapshot = readSnapshot(readFileSync(ISP, 'utf8'));
    expect(verbose.stdout).toContain('\nObservations\n');
    expect(plain.stdout).not.toContain('\nObservations\n');
    for (const [id, observation] of Object.entries(snapshot.observations)) {
      expect(verbose.stdout).toMatch(
        new RegExp(`\\n  ${observation.status} +${id.replace('.', '\\.')} +${observation.durationMs} ms`),
      );
    }
    expect(verbose.stdout).toMatch(/\n {4}failed +isp-blocks-port\n/);
    expect(verbose.stdout).toMatch(/\n {4}passed +server-unreachable\n/);
    expect(verbose.stdout).toContain('Docs: https://');
    expect(verbose.code).toBe(1);
  });

  it('--redact-ips anonymises every address consistently and keeps its class', async () => {
    const [plain, redacted] = await Promise.all([
      sandbox.run(['analyze', ISP, '--no-color']),
      sandbox.run(['analyze', ISP, '--no-color', '--redact-ips']),
    ]);
    expect(plain.stdout).toContain(PUBLIC_IP);
    expect(redacted.stdout).not.toContain(PUBLIC_IP);
    expect(redacted.stdout).not.toContain('192.168.1.10');
    // The router line keeps its shape; its WAN address becomes a documentation address (a random public one may be
    // somebody's real address), the same everywhere it appears.
    const wan = /WAN (\d+\.\d+\.\d+\.\d+)/.exec(redacted.stdout)?.[1];
    expect(wan).toBeDefined();
    expect(wan).toMatch(/^(203\.0\.113|198\.51\.100|192\.0\.2)\./);
    expect(redacted.stdout).toContain(`Public address     ${wan}:32400 (as plex.tv sees it)`);
    const lan = /Plex Media Server {2}(\d+\.\d+\.\d+\.\d+):32400/.exec(redacted.stdout)?.[1];
    expect(classifyAddress(lan!)).toBe('private');
    expect(redacted.stdout.split('\n').length).toBe(plain.stdout.split('\n').length);
  });
});

describe.concurrent('--json', () => {
  it('prints the Report: the same data the library returns for that snapshot', async () => {
    const result = await sandbox.run(['analyze', ISP, '--json']);
    expect(result.code).toBe(1);
    const report = parseReport(result.stdout);
    expect(findings(report)).toEqual(['isp-blocks-port/likely', 'mapping-failed/unreachable', 'relay-only/relayOnly']);
    expect(report.diagnoses[0]).toMatchObject({ rank: 'root-cause', confidence: 'medium', severity: 'error' });
    const library = analyze(readSnapshot(readFileSync(ISP, 'utf8')));
    expect(report).toEqual(JSON.parse(JSON.stringify(library)));
  });

  it('is JSON even with --verbose, and never coloured on a terminal', async () => {
    const result = hasScript()
      ? await runCliInTerminal(['analyze', HEALTHY, '--json', '--verbose'], { env: sandbox.env() })
      : await sandbox.run(['analyze', HEALTHY, '--json', '--verbose']);
    expect(result.stdout).not.toMatch(ANSI);
    expect(parseReport(result.stdout.replace(/\r\n/g, '\n')).summary.status).toBe('ok');
  });
});

describe.concurrent('--markdown', () => {
  it('is forum-ready: the mermaid path, a checks table, every finding; addresses anonymised (snapshot)', async ({
    expect,
  }) => {
    const result = await sandbox.run(['analyze', ISP, '--markdown']);
    expect(result.code).toBe(1);
    const text = result.stdout;
    expect(text).toMatch(/```mermaid\nflowchart LR\n/);
    expect(text).toContain('| | Check | Status |');
    expect(text).toContain('### ❌ `isp-blocks-port`');
    for (const address of [PUBLIC_IP, '84-1-1-2', '192.168.1.10', '192-168-1-10']) expect(text).not.toContain(address);
    // No public address at all: the public ones became documentation addresses (nobody's real address in a forum).
    const dotted = text.match(/(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g) ?? [];
    expect(dotted.length).toBeGreaterThan(0);
    for (const address of dotted) expect(classifyAddress(address), address).not.toBe('public');
    // The anonymisation key is random per run (a fixed one could be inverted over the IPv4 space): name the addresses.
    await expect(scrubAnonymised(text)).toMatchFileSnapshot('__snapshots__/analyze-isp-blocks-32400.md');
  });

  it('is redacted the same with --redact-ips given or not, with a new key each run', async () => {
    const [implicit, explicit] = await Promise.all([
      sandbox.run(['analyze', ISP, '--markdown']),
      sandbox.run(['analyze', ISP, '--markdown', '--redact-ips']),
    ]);
    expect(scrubAnonymised(explicit.stdout)).toBe(scrubAnonymised(implicit.stdout));
    expect(explicit.stdout).not.toBe(implicit.stdout);
  });
});

describe.concurrent('exit codes and --fail-on', () => {
  const WARNING_RULE = 'plex-direct-dns-rebinding';
  it.each([
    ['a healthy setup → 0', [HEALTHY], 0],
    ['errors → 1', [ISP], 1],
    ['errors with --fail-on none → 0', [ISP, '--fail-on', 'none'], 0],
    ['errors with --fail-on error → 1', [ISP, '--fail-on', 'error'], 1],
    ['only a warning, default --fail-on error → 0', [WARNING_ONLY], 0],
    ['only a warning with --fail-on warning → 1', [WARNING_ONLY, '--fail-on', 'warning'], 1],
    ['only a warning with --fail-on info → 1', [WARNING_ONLY, '--fail-on', 'info'], 1],
    [
      'the warning turned into info, --fail-on warning → 0',
      [WARNING_ONLY, '--rule', `${WARNING_RULE}=info`, '--fail-on', 'warning'],
      0,
    ],
    [
      'the warning turned into info, --fail-on info → 1',
      [WARNING_ONLY, '--rule', `${WARNING_RULE}=info`, '--fail-on', 'info'],
      1,
    ],
    ['the warning turned into an error → 1', [WARNING_ONLY, '--rule', `${WARNING_RULE}=error`], 1],
    [
      'every rule that fired turned off → 0',
      [
        ISP,
        ...['isp-blocks-port', 'mapping-failed', 'outside-reachability', 'relay-only'].flatMap((id) => [
          '--rule',
          `${id}=off`,
        ]),
      ],
      0,
    ],
  ] as const)('%s', async (_name, args, code) => {
    const result = await sandbox.run(['analyze', ...args, '--json']);
    expect(result.stderr).toBe('');
    const report = parseReport(result.stdout);
    expect(result.code).toBe(code);
    // The exit code follows the report, not the other way round: the findings are all still there.
    if (args.includes('--fail-on')) expect(report.diagnoses.length).toBeGreaterThan(0);
  });
});

describe('exit code 3: an internal error', () => {
  // Nothing reachable from outside crashes the CLI on purpose (a crashing rule or collector is reported, not a crash;
  // bad input is a usage error), so the last-resort handler is exercised in process, with a stdout that throws.
  it('main() returns 3 and says it is a bug, with the stack, when something unexpected throws', async () => {
    let stderr = '';
    const stdout = {
      isTTY: false,
      write(): boolean {
        throw new TypeError('the terminal fell over');
      },
    } as unknown as NodeJS.WritableStream;
    const code = await main(['rules'], {
      stdout,
      stderr: { write: (text: string) => ((stderr += text), true) } as unknown as NodeJS.WritableStream,
      stdin: process.stdin,
      env: {},
      cwd: process.cwd(),
      signal: new AbortController().signal,
    });
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /^plex-diagnose: internal error \(a bug; please report it with this message\):\nTypeError: the terminal fell over\n {4}at /,
    );
  });

  it('main() returns 130, not 3, when the failure comes from an interruption', async () => {
    let stderr = '';
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const code = await main(['rules'], {
      stdout: {
        isTTY: false,
        write: () => {
          throw new Error('write after Ctrl-C');
        },
      } as unknown as NodeJS.WritableStream,
      stderr: { write: (text: string) => ((stderr += text), true) } as unknown as NodeJS.WritableStream,
      stdin: process.stdin,
      env: {},
      cwd: process.cwd(),
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(stderr).toBe('plex-diagnose: interrupted\n');
  });
});

describe('a reader that goes away', () => {
  it('is not a crash: with stdout closed early the command still ends with its own exit code', async () => {
    const result = await sandbox.run(['rules'], { onSpawn: (child) => child.stdout!.destroy() });
    expect(result.stderr).not.toContain("Unhandled 'error' event");
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
