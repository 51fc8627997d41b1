/**
 * What the CLI touches of the process, as one object: tests run `main()` with their own streams and environment, and
 * only src/cli/bin.ts passes the real process. Every line written goes through the redactor with the token in use.
 */
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
  return {
    streams,
    secrets,
    out: (text) => void streams.stdout.write(redactText(text, secrets)),
    err: (text) => void streams.stderr.write(redactText(text, secrets)),
    color: Boolean(streams.stdout.isTTY) && !noColor,
  };
}
