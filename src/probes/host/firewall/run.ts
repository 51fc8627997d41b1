/**
 * Runs a read-only firewall tool: execFile (no shell), a timeout, an output cap and a minimal environment (a fixed
 * PATH, the C locale so messages are the ones matched below). What went wrong is data: not installed, not permitted
 * (the tools need CAP_NET_ADMIN, in practice root), or failed.
 */
import { execFile } from 'node:child_process';

export type ToolRun =
  | { status: 'ok'; stdout: string }
  | { status: 'not-installed' }
  | { status: 'denied'; message: string }
  | { status: 'failed'; message: string };

export interface RunToolOptions {
  timeoutMs: number;
  /** @default 16 MiB */
  maxBytes?: number;
  signal?: AbortSignal;
}

export type RunTool = (command: string, args: readonly string[], options: RunToolOptions) => Promise<ToolRun>;

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DENIED = /operation not permitted|permission denied|must be root|you need to be root|not authorized/i;

/** What a run the caller gave up on reports (its signal fired). */
export const cancelled = (command: string): ToolRun => ({ status: 'failed', message: `${command} was cancelled` });

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

export const runTool: RunTool = (command, args, options) =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        timeout: options.timeoutMs,
        maxBuffer: options.maxBytes ?? 16 * 1024 * 1024,
        env: { PATH, LC_ALL: 'C' },
        windowsHide: true,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ status: 'ok', stdout });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
        if (failure.code === 'ENOENT') return resolve({ status: 'not-installed' });
        if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          return resolve({ status: 'failed', message: `${command} printed more than the cap` });
        if (failure.code === 'ABORT_ERR') return resolve(cancelled(command));
        if (failure.killed)
          return resolve({ status: 'failed', message: `${command} did not finish in ${options.timeoutMs} ms` });
        const said = firstLine(String(stderr)) || firstLine(String(stdout)) || failure.message;
        if (DENIED.test(said) || failure.code === 'EACCES') return resolve({ status: 'denied', message: said });
        resolve({ status: 'failed', message: said });
      },
    );
  });
