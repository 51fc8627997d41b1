/** `--serve [HOST:]PORT` and `--serve-auth FILE`: what parses, what is refused, and that errors never echo the file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { isLoopbackHost, parseListenAddress } from '../../src/serve/listen-address.js';
import { parseServeAuth, readServeAuth } from '../../src/serve/serve-auth.js';
import { planServe } from '../../src/cli/watch-serve.js';

describe('--serve', () => {
  it('parses a port, host:port and [v6]:port, defaulting to 127.0.0.1', () => {
    expect(parseListenAddress('8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListenAddress('0.0.0.0:9000')).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    for (const bad of ['', 'abc', '70000', 'host.example:80', '::1:80', '1.2.3.4:', ':80'])
      expect(() => parseListenAddress(bad), bad).toThrow(UsageError);
  });

  it('knows loopback from the rest', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});

describe('--serve-auth', () => {
  it('reads user:password or a token from the first line', () => {
    expect(parseServeAuth('plex:correct-horse-battery\n', 'f')).toEqual({
      kind: 'basic',
      user: 'plex',
      password: 'correct-horse-battery',
    });
    expect(parseServeAuth('  tok-0123456789abcdef  \nignored', 'f')).toEqual({
      kind: 'token',
      token: 'tok-0123456789abcdef',
    });
  });

  it('refuses short secrets without echoing them', () => {
    for (const text of ['plex:short', 'tiny', '', 'two words here-long']) {
      const error = (() => {
        try {
          parseServeAuth(text, 'auth.txt');
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error, text).toBeInstanceOf(UsageError);
      if (text) expect(error!.message).not.toContain(text.split(':').pop()!);
    }
  });

  it('binding beyond loopback needs --serve-auth; --history and --serve-auth need --serve', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pd-serve-'));
    try {
      const env = { PLEX_DIAGNOSE_CONFIG_DIR: dir };
      await expect(planServe({ serve: '0.0.0.0:8080' }, env)).rejects.toThrow(/listens beyond this machine/);
      await expect(planServe({ history: join(dir, 'h.sqlite') }, env)).rejects.toThrow(/needs --serve/);
      const file = join(dir, 'auth');
      await writeFile(file, 'plex:correct-horse-battery\n');
      const plan = await planServe({ serve: '0.0.0.0:8080', 'serve-auth': file }, env);
      expect(plan).toMatchObject({ listen: { host: '0.0.0.0', port: 8080 }, auth: { kind: 'basic' } });
      expect(plan!.historyPath).toBe(join(dir, 'watch-history.sqlite'));
      expect((await planServe({ serve: '8080' }, env))?.auth).toBeUndefined();
      await expect(readServeAuth(join(dir, 'missing'))).rejects.toThrow(/cannot be read \(ENOENT\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
