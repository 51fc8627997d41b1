/**
 * What the CLI touches of the process, as one object: tests run `main()` with their own streams and environment, and
 * only src/cli/bin.ts passes the real process. Every line written goes through the redactor with the token in use,
 * then through the terminal guard: whatever a command or a new formatter prints, no control sequence but our own
 * colour codes (on stdout, in colour mode) reaches the terminal. Values are also escaped where they enter a line
 * (src/core/escape.ts), which is what stops a value from breaking its line: the guard keeps newlines, it cannot tell
 * ours from a value's.
 */
import { guardTerminalOutput } from '../core/escape.js';
import { redactText } from '../core/redact.js';

export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Fires on SIGINT/SIGTERM (the CLI then stops cleanly and restores what it changed). */
  signal: AbortSignal;
}

export interface CliOutput {
  readonly streams: CliStreams;
  /** Secrets to scrub from every line (the token once known). */
  readonly secrets: string[];
  out(text: string): void;
  err(text: string): void;
  /** Whether colour is allowed on stdout: a TTY, no NO_COLOR, no --no-color. */
  color: boolean;
}

export function createOutput(streams: CliStreams, noColorFlag: boolean): CliOutput {
  const secrets: string[] = [];
  const noColor =
    noColorFlag || (streams.env.NO_COLOR !== undefined && streams.env.NO_COLOR !== '') || streams.env.TERM === 'dumb';
  const output: CliOutput = {
    streams,
    secrets,
    out: (text) =>
      void streams.stdout.write(guardTerminalOutput(redactText(text, secrets), { keepColor: output.color })),
    err: (text) => void streams.stderr.write(guardTerminalOutput(redactText(text, secrets), { keepColor: false })),
    color: Boolean(streams.stdout.isTTY) && !noColor,
  };
  return output;
}
