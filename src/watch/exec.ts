/**
 * `watch --exec <command>`: runs the user's command through the shell with the alert in environment variables.
 * Never throws: returns `{ exitCode, signal?, timedOut, aborted, stderrTail, error? }`.
 *
 * The command inherits the environment minus the secrets (PLEX_TOKEN, the reflector's shared secret): an alert hook
 * has no business with credentials, and hooks tend to log their environment. It runs in its own process group (POSIX), so a timeout or an abort kills
 * the whole tree (`sh -c "sleep 30"` forks; killing only the shell would leave `sleep` holding the pipes open).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { redactText } from '../core/redact.js';
import { forwardName, type Alert } from './alert.js';

export interface RunAlertCommandOptions {
  /** The command is killed (SIGTERM, then SIGKILL after `killGraceMs`) when it runs longer. @default 30000 */
  timeoutMs?: number;
  /** The environment to start from (PLEX_TOKEN is removed from it). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Kills the command when it aborts (e.g. the watch is stopping). */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL. @default 2000 */
  killGraceMs?: number;
  /** Working directory. @default process.cwd() */
  cwd?: string;
  /** Picks the shell: `/bin/sh -c` or `cmd.exe /d /s /c`. @default process.platform */
  platform?: NodeJS.Platform;
}

export interface AlertCommandResult {
  /** Null when the command was killed by a signal or could not start. */
  exitCode: number | null;
  /** The signal that ended it (SIGTERM after a timeout). */
  signal?: string;
  timedOut: boolean;
  aborted: boolean;
  /** The last few KB of stderr, for the log line of a failing hook; token shapes redacted. */
  stderrTail: string;
  /** Why it could not be started (ENOENT for the shell, ...). */
  error?: string;
}

const STDERR_TAIL_BYTES = 4096;
/** After the shell exits, how long to wait for its pipes to close (a daemonised grandchild may keep them open). */
const CLOSE_WAIT_MS = 1000;

/** Environment variable values cannot hold NUL bytes (spawn throws on them). */
const envValue = (text: string | undefined): string => (text ?? '').replace(/\0/g, '');

/** Variables that hold a secret. The reflector's name is spelled here: watch/ does not import src/outside. */
const SECRET_VARIABLES = new Set(['PLEX_TOKEN', 'PLEX_DIAGNOSE_REFLECTOR_SECRET']);

/** The environment the command sees: `env` without the secrets (any case: Windows names are case-insensitive) plus the alert. */
export function alertEnvironment(alert: Alert, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_VARIABLES.has(name.toUpperCase()) || value === undefined) continue;
    out[name] = value;
  }
  const top = alert.causes[0];
  out.PLEX_DIAGNOSE_ALERT_KIND = alert.kind;
  out.PLEX_DIAGNOSE_ALERT_STATE = alert.state.status;
  out.PLEX_DIAGNOSE_ALERT_RULE = envValue(top?.ruleId);
  out.PLEX_DIAGNOSE_ALERT_MESSAGE = envValue(top?.message ?? alert.error?.message ?? alert.summary);
  out.PLEX_DIAGNOSE_ALERT_SEVERITY = envValue(top?.severity);
  out.PLEX_DIAGNOSE_ALERT_FIX = envValue(top?.fix);
  out.PLEX_DIAGNOSE_ALERT_AT = alert.at;
  // forward-* alerts: which forward ("8443 → 192.168.1.20:443 (nas)") and since when; empty otherwise.
  out.PLEX_DIAGNOSE_ALERT_FORWARD = envValue(alert.forward ? forwardName(alert.forward) : '');
  out.PLEX_DIAGNOSE_ALERT_SINCE = envValue(alert.forward?.since);
  out.PLEX_DIAGNOSE_ALERT_SUMMARY = envValue(alert.summary);
  out.PLEX_DIAGNOSE_ALERT_JSON = envValue(JSON.stringify(alert));
  return out;
}

/** How Node's own `shell: true` invokes each shell (child_process.js), so quoting behaves as users expect. */
export function shellInvocation(
  command: string,
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): { file: string; args: string[]; verbatim: boolean } {
  if (platform === 'win32')
    return { file: env.ComSpec || 'cmd.exe', args: ['/d', '/s', '/c', `"${command}"`], verbatim: true };
  return { file: '/bin/sh', args: ['-c', command], verbatim: false };
}

function killTree(child: ChildProcess, signal: NodeJS.Signals, platform: NodeJS.Platform): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  if (platform === 'win32') {
    // No process groups: taskkill /T takes the tree. Best effort; the direct kill covers the shell itself.
    spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on(
      'error',
      () => undefined,
    );
    child.kill(signal);
    return;
  }
  try {
    process.kill(-child.pid, signal); // the negative pid addresses the process group
  } catch {
    child.kill(signal);
  }
}

export function runAlertCommand(
  command: string,
  alert: Alert,
  options: RunAlertCommandOptions = {},
): Promise<AlertCommandResult> {
  const platform = options.platform ?? process.platform;
  const env = alertEnvironment(alert, options.env ?? process.env);
  const { file, args, verbatim } = shellInvocation(command, platform, env);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const graceMs = options.killGraceMs ?? 2000;

  return new Promise((resolve) => {
    let tail = Buffer.alloc(0);
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    let child: ChildProcess;

    const finish = (
      result: Pick<AlertCommandResult, 'exitCode'> & { signal?: string | null; error?: string },
    ): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode: result.exitCode,
        ...(result.signal ? { signal: result.signal } : {}),
        timedOut,
        aborted,
        stderrTail: redactText(tail.toString('utf8')),
        ...(result.error ? { error: result.error } : {}),
      });
    };
    const stop = (): void => {
      killTree(child, 'SIGTERM', platform);
      timers.push(setTimeout(() => killTree(child, 'SIGKILL', platform), graceMs));
    };
    const onAbort = (): void => {
      aborted = true;
      stop();
    };

    try {
      child = spawn(file, args, {
        env,
        cwd: options.cwd,
        stdio: ['ignore', 'ignore', 'pipe'],
        detached: platform !== 'win32',
        windowsHide: true,
        windowsVerbatimArguments: verbatim,
      });
    } catch (error) {
      finish({ exitCode: null, error: (error as Error).message });
      return;
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      // 'error' also reports failed kills; only a failed start ends the run here.
      if (child.pid === undefined)
        finish({ exitCode: null, error: `could not start ${file}: ${error.code ?? error.message}` });
    });
    child.on('exit', (code, signal) => {
      timers.push(
        setTimeout(() => {
          child.stderr?.destroy();
          finish({ exitCode: code, signal });
        }, CLOSE_WAIT_MS),
      );
    });
    child.on('close', (code, signal) => finish({ exitCode: code, signal }));

    timers.push(
      setTimeout(() => {
        timedOut = true;
        stop();
      }, timeoutMs),
    );
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
