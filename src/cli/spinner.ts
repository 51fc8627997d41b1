/**
 * A spinner with the running checks on stderr while collecting: only on a TTY (silent in pipes, CI and tests), and
 * never mixed into stdout, so `--json` output stays clean.
 */
import type { CollectProgress } from '../collect/scheduler.js';
import type { CliOutput } from './output.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  onProgress(event: CollectProgress): void;
  /** Writes a line above the spinner. */
  note(text: string): void;
  stop(): void;
}

/** Notes go through `output.err` (redacted like every other line); only the spinner's frames write to stderr directly. */
export function createProgress(output: CliOutput, enabled = Boolean(output.streams.stderr.isTTY)): Progress {
  const stderr = output.streams.stderr;
  if (!enabled) return { onProgress: () => undefined, note: (text) => output.err(`${text}\n`), stop: () => undefined };
  const running = new Map<string, string>();
  let done = 0;
  let frame = 0;
  const render = (): void => {
    const titles = [...running.values()];
    const line = titles.length
      ? `${FRAMES[frame++ % FRAMES.length]} ${titles.slice(0, 2).join(', ')}${titles.length > 2 ? ` +${titles.length - 2}` : ''} (${done} done)`
      : '';
    stderr.write(`\r\u001b[2K${line.slice(0, 100)}`);
  };
  const timer = setInterval(render, 100);
  timer.unref();
  return {
    onProgress(event) {
      if (event.type === 'start') running.set(event.id, event.title);
      else {
        running.delete(event.id);
        done++;
      }
    },
    note(text) {
      stderr.write('\r\u001b[2K');
      output.err(`${text}\n`);
      render();
    },
    stop() {
      clearInterval(timer);
      stderr.write('\r\u001b[2K');
    },
  };
}
