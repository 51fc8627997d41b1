/** Running commands to completion with a deadline, for the harness itself (ip, nft, sysctl) and for `lab.exec`. */
import { execFileSync, spawn } from 'node:child_process';

export interface CommandOptions {
  /** Kill the command (SIGKILL) after this long. @default 10000 */
  timeoutMs?: number;
  /** Written to stdin, then stdin is closed. @default nothing (stdin closed at once) */
  input?: string;
  /** The environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default the current directory */
  cwd?: string;
  /** Output kept per stream; the rest is dropped (and `truncated` set). @default 8 MiB */
  maxOutputBytes?: number;
}

export interface CommandResult {
  /** Exit code; null when the command died from a signal (e.g. killed at its deadline). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the deadline killed it. */
  timedOut: boolean;
  /** True when an output stream went past `maxOutputBytes`. */
  truncated: boolean;
  durationMs: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/** Runs `argv` to completion. Never rejects for a non-zero exit or a timeout: that is data; only a missing binary rejects. */
export function runCommand(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) return Promise.reject(new Error('runCommand: empty argv'));
  const started = performance.now();
  const cap = options.maxOutputBytes ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sizes = { out: 0, err: 0 };
    let truncated = false;
    const collect = (chunks: Buffer[], key: 'out' | 'err') => (chunk: Buffer) => {
      if (sizes[key] >= cap) return void (truncated = true);
      chunks.push(chunk);
      sizes[key] += chunk.length;
    };
    child.stdout.on('data', collect(out, 'out'));
    child.stderr.on('data', collect(err, 'err'));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        truncated,
        durationMs: performance.now() - started,
      });
    });
    // A command that does not read stdin may close it first: EPIPE is not an error of ours.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Like runCommand, but a non-zero exit (or a timeout) throws with the command and its stderr. */
export async function mustRun(argv: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(argv, options);
  if (result.code !== 0) {
    const why = result.timedOut
      ? `timed out after ${options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS} ms`
      : `exit ${result.code ?? result.signal}`;
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `lab: \`${argv.join(' ')}\` failed (${why})${detail ? `:\n${detail}` : ''}${options.input ? `\ninput:\n${options.input}` : ''}`,
    );
  }
  return result;
}

/** Synchronous best effort (exit and signal handlers cannot await): output on success, undefined on any failure. */
export function runSyncQuietly(argv: readonly string[], timeoutMs = 5000): string | undefined {
  const [file, ...args] = argv;
  if (!file) return undefined;
  try {
    return execFileSync(file, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: timeoutMs, encoding: 'utf8' });
  } catch {
    return undefined;
  }
}
