/**
 * `collect` → a snapshot file (mode 0600, no token) → `analyze` gives the same report as `diagnose` on the same setup;
 * `collect` to stdout, `analyze -` from stdin, and every way a snapshot file can be wrong (exit 2).
 */
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '../../src/diagnose/diagnose.js';
import { createSandbox, type CliSandbox } from './helpers/run-cli.js';
import { startHome, WAN, type Home } from './helpers/home.js';
import { findings, parseReport, type CliReport } from './helpers/report-shape.js';

let sandbox: CliSandbox;
let home: Home;
beforeAll(async () => {
  sandbox = await createSandbox();
  home = await startHome({ ispBlockedPorts: [32400] });
});
afterAll(async () => {
  await home?.close();
  await sandbox?.cleanup();
});

/** A report without what differs between two runs of the same setup: when, how long, and in which order things finished. */
function comparable(report: CliReport): unknown {
  return {
    ...report,
    createdAt: '<time>',
    timing: '<timing>',
    observations: report.observations.map((o) => ({ ...o, durationMs: 0 })).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

const noToken = (text: string): void => expect(text).not.toContain(home.token);

describe('collect → analyze', () => {
  it('collect -o writes a snapshot file with mode 0600 and no token; analyze of it gives the report diagnose gives', async () => {
    const file = join(sandbox.dir, 'home.snapshot.json');
    const collected = await sandbox.run(['collect', ...home.args(['--token', home.token]), '-o', file]);
    expect(collected.code).toBe(0);
    expect(collected.stdout).toBe('');
    expect(collected.stderr).toContain(
      `snapshot written to ${file}: analyze it with \`plex-diagnose analyze ${file}\``,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    noToken(text);
    noToken(collected.stderr);
    const snapshot = readSnapshot(text);
    expect(snapshot.context.tokenProvided).toBe(true);
    expect(snapshot.target.machineIdentifier).toBe(home.server.machineIdentifier);

    const [analyzed, diagnosed] = await Promise.all([
      sandbox.run(['analyze', file, '--json']),
      sandbox.run([...home.args(['--token', home.token]), '--json']),
    ]);
    const fromFile = parseReport(analyzed.stdout);
    const live = parseReport(diagnosed.stdout);
    expect(findings(live)).toEqual(['isp-blocks-port/likely', 'mapping-failed/unreachable', 'relay-only/relayOnly']);
    expect(comparable(fromFile)).toEqual(comparable(live));
    expect([analyzed.code, diagnosed.code]).toEqual([1, 1]);
    noToken(diagnosed.stdout + diagnosed.stderr + analyzed.stdout);
  });

  it('collect prints the snapshot on stdout without -o (and with -o -), and analyze - reads it from stdin', async () => {
    const [plain, dash] = await Promise.all([
      sandbox.run(['collect', ...home.args(['--token', home.token])]),
      sandbox.run(['collect', ...home.args(['--token', home.token]), '-o', '-']),
    ]);
    for (const result of [plain, dash]) {
      expect(result.code).toBe(0);
      noToken(result.stdout);
      expect(readSnapshot(result.stdout).target.machineIdentifier).toBe(home.server.machineIdentifier);
    }
    const analyzed = await sandbox.run(['analyze', '-', '--json'], { input: plain.stdout });
    expect(analyzed.stderr).toBe('');
    expect(findings(parseReport(analyzed.stdout))[0]).toBe('isp-blocks-port/likely');
    expect(analyzed.code).toBe(1);
  });

  it('collect --redact-ips leaves no address of the home in the file, and says so in it', async () => {
    const result = await sandbox.run(['collect', ...home.args(['--token', home.token]), '--redact-ips']);
    expect(result.code).toBe(0);
    for (const address of [WAN, '192.168.1.10']) expect(result.stdout).not.toContain(address);
    expect(readSnapshot(result.stdout).redaction).toEqual({ token: true, ips: true });
    // Still a diagnosis: the anonymised addresses keep their classes.
    const analyzed = await sandbox.run(['analyze', '-', '--json'], { input: result.stdout });
    expect(findings(parseReport(analyzed.stdout))[0]).toBe('isp-blocks-port/likely');
  });

  it('collect -o into a folder that does not exist is a usage error, after the evidence was gathered', async () => {
    const result = await sandbox.run([
      'collect',
      ...home.args(['--token', home.token]),
      '-o',
      join(sandbox.dir, 'missing', 's.json'),
    ]);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(
      `plex-diagnose: cannot write ${join(sandbox.dir, 'missing', 's.json')} (ENOENT)`,
    );
    expect(result.code).toBe(2);
  });
});

describe.concurrent('analyze of a bad snapshot: exit 2 with the reason', () => {
  const write = async (name: string, content: string): Promise<string> => {
    const dir = join(sandbox.dir, 'bad');
    await mkdir(dir, { recursive: true });
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };

  it.each([
    [
      'a missing file',
      async () => join(sandbox.dir, 'nope.json'),
      /^plex-diagnose: cannot read .*nope\.json \(ENOENT\)$/,
    ],
    ['a folder', async () => sandbox.dir, /^plex-diagnose: cannot read .* \(EISDIR\)$/],
    [
      'a file that is not JSON',
      () => write('junk.json', '<html>captive portal</html>'),
      /^plex-diagnose: the snapshot is not valid JSON/,
    ],
    [
      'JSON that is not a snapshot',
      () => write('other.json', '{"hello":"world"}'),
      /^plex-diagnose: not a plex-diagnose snapshot \(schemaVersion: /,
    ],
    [
      'a snapshot from a newer plex-diagnose',
      () => write('newer.json', '{"schemaVersion":99}'),
      /^plex-diagnose: the snapshot has schema version 99, newer than this plex-diagnose understands \(1\): upgrade plex-diagnose$/,
    ],
    [
      'a snapshot whose values have the wrong shape',
      async () => {
        const snapshot = JSON.parse(
          readFileSync(join(import.meta.dirname, '../fixtures/cli/healthy.snapshot.json'), 'utf8'),
        ) as { observations: Record<string, { value?: unknown }> };
        snapshot.observations['server.account']!.value = 'an account';
        return write('shape.json', JSON.stringify(snapshot));
      },
      /^plex-diagnose: the snapshot has values of the wrong shape \(.*server\.account/,
    ],
  ] as const)('%s', async (_name, make, reason) => {
    const file = await make();
    const result = await sandbox.run(['analyze', file]);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(reason);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.code).toBe(2);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file', async () => {
    const file = await write('locked.json', '{}');
    await chmod(file, 0o000);
    const result = await sandbox.run(['analyze', file]);
    expect(result.stderr).toMatch(/cannot read .*locked\.json \(EACCES\)/);
    expect(result.code).toBe(2);
  });

  it('analyze - with nothing on stdin', async () => {
    const result = await sandbox.run(['analyze', '-'], { input: '' });
    expect(result.stderr.trimEnd()).toMatch(/^plex-diagnose: the snapshot is not valid JSON/);
    expect(result.code).toBe(2);
  });
});
