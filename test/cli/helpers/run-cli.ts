/**
 * Runs the CLI built by test/cli/global-setup.ts as a subprocess (`node .test-dist/cli.js ...`), the way users run it,
 * with an environment made from nothing: no inherited PLEX_TOKEN, PLEX_URL, NO_COLOR or XDG dirs; HOME and
 * PLEX_DIAGNOSE_CONFIG_DIR always in a temp dir of the test's own; PLEX_DIAGNOSE_PLEXTV_URL pointing nowhere unless given,
 * so a run never reaches the real plex.tv.
 */
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { REPO_ROOT } from '../paths.js';

export interface CliResult {
  /** Exit code; null when killed by a signal (then `signal` says which). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Variables on top of the clean base (a value of undefined removes a base variable). @default {} */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. @default '' (stdin closed at once) */
  input?: string;
  /** Kills the process (SIGKILL) and fails the run after this long. @default 30000 */
  timeoutMs?: number;
  /** @default the repository root */
  cwd?: string;
  /** Called once the process has started (to send it signals, or watch its output as it comes). */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Every token a test hands the CLI (helpers/home.ts registers each one it makes). Every run, in every test, fails
 * when one of them shows up in its stdout or stderr: the token must never be printed, whatever the command.
 */
export const KNOWN_TOKENS = new Set<string>();

function leakedToken(stdout: string, stderr: string): string | undefined {
  for (const token of KNOWN_TOKENS) if (stdout.includes(token) || stderr.includes(token)) return token;
  return undefined;
}

/** An address where nothing listens: the CLI's plex.tv unless a test gives its fake (never the real plex.tv). */
export const NOWHERE_URL = 'http://127.0.0.1:9';

/** A temp directory per test file, removed by `cleanup()`: HOME and the config dir live under it. */
export interface CliSandbox {
  readonly dir: string;
  readonly home: string;
  readonly configDir: string;
  /** What PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR points at (not created). */
  readonly pmsDir: string;
  /** The base environment of every run in this sandbox. */
  env(extra?: Record<string, string | undefined>): Record<string, string>;
  run(args: readonly string[], options?: RunCliOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

export async function createSandbox(): Promise<CliSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'pd-cli-'));
  const home = join(dir, 'home');
  const configDir = join(dir, 'config');
  const env = (extra: Record<string, string | undefined> = {}): Record<string, string> => {
    const merged: Record<string, string | undefined> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      PLEX_DIAGNOSE_CONFIG_DIR: configDir,
      PLEX_DIAGNOSE_PLEXTV_URL: NOWHERE_URL,
      // Searched first for Preferences.xml, before the standard locations (/var/lib/plexmediaserver, /config, ...):
      // an empty folder of the sandbox, which a test fills to imitate the server's own data directory.
      PLEX_MEDIA_SERVER_APPLICATION_SUPPORT_DIR: join(dir, 'pms'),
      ...extra,
    };
    return Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  };
  return {
    dir,
    home,
    configDir,
    pmsDir: join(dir, 'pms'),
    env,
    run: (args, options = {}) => runCli(args, { ...options, env: env(options.env) }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** This run's build (see global-setup.ts); PLEX_DIAGNOSE_TEST_DIST points scripts run outside vitest at another one. */
export function cliDist(): string {
  return process.env.PLEX_DIAGNOSE_TEST_DIST || inject('cliDist');
}

export function cliPath(): string {
  return join(cliDist(), 'cli.js');
}

/**
 * Collects a CLI child's output until it exits: rejects after `timeoutMs` (killing it) and when the output holds any
 * token a test made.
 */
function settle(child: ChildProcessWithoutNullStreams, label: string, timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`plex-diagnose ${label} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const leaked = leakedToken(stdout, stderr);
      if (leaked)
        reject(new Error(`plex-diagnose ${label} printed the token ${leaked}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
  });
}

/** Spawns `node .test-dist/<run>/cli.js ...args` with exactly `options.env` as its environment. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath(), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? {},
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = settle(child, args.join(' '), options.timeoutMs ?? 30_000);
  child.stdin.end(options.input ?? '');
  options.onSpawn?.(child);
  return result;
}

/** Resolves once `child`'s stderr (as seen so far plus what comes) matches; rejects after `timeoutMs`. */
export function waitForOutput(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const source = child[stream]!;
    const onData = (chunk: Buffer | string): void => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        cleanup();
        resolve(seen);
      }
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error(`the process ended before its ${stream} matched ${pattern}:\n${seen}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${stream} did not match ${pattern} within ${timeoutMs} ms:\n${seen}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      source.off('data', onData);
      child.off('close', onClose);
    };
    source.on('data', onData);
    child.once('close', onClose);
  });
}

/** Whether `script` (util-linux) is here to give the CLI a terminal. */
export function hasScript(): boolean {
  try {
    return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs: what a person at a terminal
 * gets (colour, the spinner). Output comes back with \r\n line ends; `input` is typed into the terminal.
 */
export function runCliInTerminal(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  const command = [process.execPath, cliPath(), ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { TERM: 'xterm', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = settle(child, `${args.join(' ')} (on a terminal)`, options.timeoutMs ?? 30_000);
  if (options.input !== undefined) child.stdin.write(options.input);
  options.onSpawn?.(child);
  return result;
}
