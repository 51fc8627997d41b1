/**
 * Issue 15 item 8, as a newcomer meets it: from a clone, `npx plex-diagnose` finds no installed package, and
 * `npm ci && npm run demo && npm test` stopped at the demo (exit 1 by design). README's first screen must give the
 * one command that runs the CLI from a checkout, and that command must work; the chain must be what README shows.
 * That a demo which ran exits 0 (and says what a real run would exit with) is tested with the built CLI in
 * test/cli/commands.test.ts ("demo").
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/core/version.js';
import { REPO_ROOT } from '../cli/paths.js';

/** README's first screen: everything before the first `##` heading. */
const firstScreen = (): string => readFileSync(join(REPO_ROOT, 'README.md'), 'utf8').split(/^## /m)[0]!;

function npmRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run ${args.join(' ')} did not exit within 90 s\n${stdout}\n${stderr}`));
    }, 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("a newcomer's first screen", () => {
  it('README shows `npm ci && npm run demo && npm test` and how to run the CLI from the checkout', () => {
    const screen = firstScreen();
    expect(screen).toContain('npm ci && npm run demo && npm test');
    expect(screen).toMatch(/npm run cli -- --url http:\/\/\S+/);
  });

  it('`npm run cli -- <args>` runs the CLI from the checkout', async () => {
    const scripts = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts.cli).toBeDefined();
    const version = await npmRun(['cli', '--', '--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(VERSION);
    expect(version.code).toBe(0);
    const usage = await npmRun(['cli', '--', 'rules', '--json']);
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'isp-blocks-port' })]),
    );
  }, 200_000);
});
