// The CLI entry. `--version` and `--help` answer before any heavy module loads; everything else is one dynamic import.
import { VERSION } from '../core/version.js';
import { ignoreClosedOutput } from './epipe.js';
import { fastPathOutput } from './help.js';
import { firstInterruptMessage, interruptStyle } from './interrupt.js';

ignoreClosedOutput();

const argv = process.argv.slice(2);
const fast = fastPathOutput(argv, VERSION);
if (fast !== undefined) {
  process.stdout.write(fast);
} else {
  // Not top-level await: the CLI is built as CommonJS (tsup.config.ts: the launcher compiles it with a V8 code cache).
  void run();
}

async function run(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const stop = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      // First signal: fix and experiments restore what they changed, watch, the reflector and login stop cleanly on
      // their own; any other command has nothing to restore and ends at once (interrupt.ts says why).
      process.stderr.write(firstInterruptMessage(signal, argv));
      controller.abort(new Error(signal));
      if (interruptStyle(argv) === 'immediate') process.exit(130);
    } else {
      process.stderr.write(
        'plex-diagnose: quitting without waiting; an interrupted experiment is restored on the next run\n',
      );
      process.exit(130);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const { main } = await import('./main.js');
  process.exitCode = await main(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // The command is done (watch and the reflector return only once stopped). Work the runtime cannot cancel may still
  // hold the event loop: a getaddrinfo for a name that does not resolve sits in libuv's thread pool for seconds after
  // its deadline, an interrupted FIFO read the same. End once what was written has been flushed.
  await flush(process.stdout);
  await flush(process.stderr);
  process.exit();
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}
