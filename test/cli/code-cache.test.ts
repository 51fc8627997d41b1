/**
 * The launcher's V8 code cache (src/cli/code-cache.ts): an optimisation nothing may depend on. A corrupt, truncated or
 * foreign file is ignored and replaced, an unwritable cache directory only means no cache, and the CLI's output is
 * the same with and without one.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodeCache, writeCodeCache } from '../../src/cli/code-cache.js';
import { cliDist } from './helpers/run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-code-cache-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function runLauncher(args: string[], cacheHome: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(cliDist(), 'launcher.cjs'), ...args], {
      env: { PATH: process.env.PATH, HOME: dir, XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

describe('code cache files', () => {
  it('round-trips a payload, and refuses a corrupt, truncated, foreign or missing file', async () => {
    const file = join(dir, 'unit', 'cli-x.v8cache');
    const payload = Buffer.from('not really V8 code, but bytes to keep intact'.repeat(20));
    expect(writeCodeCache(file, payload)).toBe(true);
    expect(readCodeCache(file)?.equals(payload)).toBe(true);

    const raw = await readFile(file);
    const flipped = Buffer.from(raw);
    const at = flipped.length - 5;
    flipped.writeUInt8(flipped.readUInt8(at) ^ 0xff, at);
    await writeFile(file, flipped);
    expect(readCodeCache(file)).toBeUndefined();
    await writeFile(file, raw.subarray(0, 10));
    expect(readCodeCache(file)).toBeUndefined();
    await writeFile(file, Buffer.concat([Buffer.from('XXXXX\n'), raw.subarray(6)]));
    expect(readCodeCache(file)).toBeUndefined();
    expect(readCodeCache(join(dir, 'unit', 'absent.v8cache'))).toBeUndefined();
  });

  it("keeps only the newest bundle's cache (each install or npx extraction is a new file), and nothing else", async () => {
    const home = join(dir, 'prune');
    const payload = Buffer.from('bytes');
    expect(writeCodeCache(join(home, 'cli-0.1.0-a.v8cache'), payload)).toBe(true);
    await writeFile(join(home, 'cli-0.1.0-b.v8cache.123.tmp'), 'left by a killed run');
    await writeFile(join(home, 'notes.txt'), 'not ours to remove');
    expect(writeCodeCache(join(home, 'cli-0.2.0-c.v8cache'), payload)).toBe(true);
    expect((await readdir(home)).sort()).toEqual(['cli-0.2.0-c.v8cache', 'notes.txt']);
  });

  it('an unwritable place is no cache, not an error (and not a hang under /proc)', async () => {
    const notADir = join(dir, 'a-file');
    await writeFile(notADir, 'x');
    expect(writeCodeCache(join(notADir, 'plex-diagnose', 'cli.v8cache'), Buffer.from('data'))).toBe(false);
    expect(writeCodeCache('/proc/plex-diagnose-nope/plex-diagnose/cli.v8cache', Buffer.from('data'))).toBe(false);
  });
});

describe('the built launcher with a code cache', () => {
  it('writes a cache on the first run, and a corrupt cache is ignored, replaced, and changes nothing', async () => {
    const cacheHome = join(dir, 'cache');
    const first = await runLauncher(['rules'], cacheHome);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('server-unreachable');
    const files = await readdir(join(cacheHome, 'plex-diagnose'));
    expect(files).toHaveLength(1);
    const file = join(cacheHome, 'plex-diagnose', files[0]!);
    expect(readCodeCache(file)?.length).toBeGreaterThan(1000);

    // Garbage in the middle of the payload: the digest no longer matches, V8 never sees it.
    const raw = await readFile(file);
    raw.fill(0x41, Math.floor(raw.length / 2), Math.floor(raw.length / 2) + 64);
    await writeFile(file, raw);
    expect(readCodeCache(file)).toBeUndefined();
    const second = await runLauncher(['rules'], cacheHome);
    expect(second).toEqual(first);
    expect(readCodeCache(file)?.length).toBeGreaterThan(1000);

    // With the cache accepted, the same output again.
    expect(await runLauncher(['rules'], cacheHome)).toEqual(first);
  });

  it('runs without a cache when the cache directory cannot be made', async () => {
    const notADir = join(dir, 'plain-file');
    await writeFile(notADir, 'x');
    const result = await runLauncher(['rules'], notADir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('server-unreachable');
  });
});
