/**
 * Issue 15 item 3: every diagnose with a token exited 3 with a stack trace when the config directory could not be
 * written (a read-only home, HOME unset or unwritable, a file in the way, a full disk: common on NAS boxes), because
 * the client identifier is created there first. Now: an ephemeral identifier, one clear note, and the run goes on.
 * `fix --yes` with a journal it cannot write: a clear error, exit 2, nothing changed on the server, no `.tmp` left.
 *
 * Real unwritable directories, with the built CLI as a subprocess: a path under a FILE (ENOTDIR; chmod does not stop
 * root), a read-only tmpfs and a full tmpfs in a private mount namespace (`unshare --mount`, root only: skipped
 * elsewhere, the ENOTDIR cases still run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHome, type Home } from '../cli/helpers/home.js';
import { cliPath, createSandbox, type CliResult, type CliSandbox } from '../cli/helpers/run-cli.js';

let home: Home;
let box: CliSandbox;
let file: string;
beforeAll(async () => {
  [home, box] = await Promise.all([
    startHome({ prefs: { ManualPortMappingMode: true, ManualPortMappingPort: 44400 }, forwards: [32400] }),
    createSandbox(),
  ]);
  file = join(box.dir, 'a-file');
  writeFileSync(file, 'not a directory\n');
});
afterAll(async () => {
  await Promise.allSettled([home?.close(), box?.cleanup()]);
});

const canUnshare = (): boolean =>
  spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { stdio: 'ignore' }).status === 0;

/**
 * The CLI in a private mount namespace with a fresh tmpfs at `dir` (`options` as for mount -o), after `prepare` (shell,
 * run with the tmpfs mounted), then `ls -a dir` after a marker line: the tmpfs is gone once the namespace ends.
 */
function runOnTmpfs(dir: string, options: string, prepare: string, args: string[], env: Record<string, string>) {
  const script = `mount -t tmpfs -o ${options} tmpfs "$1" || exit 99; ${prepare}; shift; "$@"; code=$?; echo "@@ls"; ls -a "${dir}"; exit $code`;
  const child = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, cliPath(), ...args],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise<CliResult & { listing: string[] }>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not exit within 60 s\n${stdout}\n${stderr}`));
    }, 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const [out = '', listing = ''] = stdout.split('@@ls\n');
      resolve({ code, signal, stdout: out, stderr, listing: listing.split('\n').filter(Boolean) });
    });
  });
}

/** A diagnosis with a token (so the client identifier is needed) that must work whatever the config dir is. */
const diagnoseArgs = (): string[] => home.args(['--token', home.token, '--json']);

function expectCarriedOn(result: CliResult, code: RegExp): void {
  // One note, naming the file and the reason; no stack trace; a real report.
  const notes = result.stderr.split('\n').filter((line) => line.startsWith('note: cannot write'));
  expect(notes, result.stderr).toHaveLength(1);
  expect(notes[0], result.stderr).toMatch(
    new RegExp(`\\((${code.source})\\): using a one-time client identifier for this run`),
  );
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(JSON.parse(result.stdout)).toHaveProperty('diagnoses');
  expect([0, 1], result.stderr).toContain(result.code);
}

describe('a config directory that cannot be written', () => {
  it('a file in the way (PLEX_DIAGNOSE_CONFIG_DIR under a file): diagnoses anyway, with one note', async () => {
    const result = await box.run(diagnoseArgs(), { env: { PLEX_DIAGNOSE_CONFIG_DIR: join(file, 'config') } });
    expectCarriedOn(result, /ENOTDIR|EEXIST/);
    expect(result.stderr).toContain(`cannot write ${join(file, 'config', 'config.json')}`);
  });

  it('HOME is a file (~/.config cannot exist): diagnoses anyway', async () => {
    const result = await box.run(diagnoseArgs(), { env: { HOME: file, PLEX_DIAGNOSE_CONFIG_DIR: undefined } });
    expectCarriedOn(result, /ENOTDIR|EEXIST/);
  });

  it('HOME unset, and XDG_CONFIG_HOME unwritable: diagnoses anyway', async () => {
    const result = await box.run(diagnoseArgs(), {
      env: { HOME: undefined, PLEX_DIAGNOSE_CONFIG_DIR: undefined, XDG_CONFIG_HOME: join(file, 'xdg') },
    });
    expectCarriedOn(result, /ENOTDIR|EEXIST/);
  });

  it.skipIf(!canUnshare())('a read-only home (tmpfs mounted ro): diagnoses anyway', async () => {
    const roHome = join(box.dir, 'ro-home');
    spawnSync('mkdir', ['-p', roHome]);
    const result = await runOnTmpfs(
      roHome,
      'ro,mode=0755',
      'true',
      diagnoseArgs(),
      box.env({ HOME: roHome, PLEX_DIAGNOSE_CONFIG_DIR: undefined }),
    );
    // mkdir -p on a read-only mount fails with ENOENT in Node 20 (it probes with stat after EROFS), EROFS elsewhere.
    expectCarriedOn(result, /EROFS|ENOENT/);
  });
});

describe('fix --yes with an undo journal it cannot write', () => {
  const puts = () => home.server.requests.filter((r) => r.method === 'PUT' && r.path === '/:/prefs').length;

  it('a path under a file: exit 2, a clear error, the server unchanged', async () => {
    const before = puts();
    const result = await box.run([
      'fix',
      '--yes',
      '--journal',
      join(file, 'undo.json'),
      ...home.args(['--token', home.token]),
    ]);
    expect(result.stderr).toContain(
      `plex-diagnose: cannot write the undo journal ${join(file, 'undo.json')} (EEXIST): nothing was changed; pass --journal with a writable path`,
    );
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.code).toBe(2);
    expect(puts()).toBe(before);
    expect(home.server.state.prefs.ManualPortMappingPort).toBe('44400');
  });

  it.skipIf(!canUnshare())('a full disk (a tiny tmpfs, filled): exit 2, and no .tmp file left behind', async () => {
    const full = join(box.dir, 'full');
    spawnSync('mkdir', ['-p', full]);
    const before = puts();
    const result = await runOnTmpfs(
      full,
      'size=16k,mode=0700',
      `dd if=/dev/zero of="${full}/filler" bs=1k count=64 2>/dev/null; true`,
      ['fix', '--yes', '--journal', join(full, 'undo.json'), ...home.args(['--token', home.token])],
      box.env(),
    );
    expect(result.stderr).toContain(
      `cannot write the undo journal ${join(full, 'undo.json')} (ENOSPC): nothing was changed`,
    );
    expect(result.code).toBe(2);
    expect(result.listing.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(result.listing).toContain('filler');
    expect(puts()).toBe(before);
    expect(existsSync(join(full, 'filler'))).toBe(false); // the tmpfs is gone with its namespace
    expect(readdirSync(box.dir)).toContain('full');
  });
});
