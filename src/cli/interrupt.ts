/**
 * What the first Ctrl-C or SIGTERM does. Only `fix` and an `--experiment` change the server's settings; they get time
 * to restore them (a second signal quits at once). Every other command changes nothing, so it ends now: waiting on
 * cooperative cancellation would leave it hanging on a read that cannot be cancelled (a FIFO's open() blocks in the
 * thread pool), and "restoring any changes first" would be a lie.
 */

/**
 * How a command meets the first signal. restore: it changed the server's settings and puts them back first (fix, an
 * experiment, outside-check's router mapping). cooperative: it stops itself cleanly and says so (watch and the reflector end with exit 0 and a closing
 * line, login says it was cancelled). immediate: everything else, which changes nothing and ends now.
 */
export type InterruptStyle = 'restore' | 'cooperative' | 'immediate';

const COOPERATIVE = new Set(['watch', 'reflector', 'login']);

/** The command comes first in argv (parse-argv.ts); cheap to decide before any heavy module loads. */
export function interruptStyle(argv: readonly string[]): InterruptStyle {
  if (argv[0] === 'fix' || argv.some((arg) => arg === '--experiment' || arg.startsWith('--experiment=')))
    return 'restore';
  // outside-check: a router mapping (--map) is removed first; without one it only closes its listener.
  if (argv[0] === 'outside-check')
    return argv.some((arg) => arg === '--map' || arg.startsWith('--map=')) ? 'restore' : 'cooperative';
  return COOPERATIVE.has(argv[0] ?? '') ? 'cooperative' : 'immediate';
}

/** What to print at the first signal (cooperative commands then print their own closing line). */
export function firstInterruptMessage(signal: NodeJS.Signals, argv: readonly string[]): string {
  switch (interruptStyle(argv)) {
    case 'restore':
      return `\nplex-diagnose: ${signal}: stopping (restoring any changes first; press Ctrl-C again to quit at once)\n`;
    case 'cooperative':
      return `\nplex-diagnose: ${signal}: stopping\n`;
    case 'immediate':
      return `\nplex-diagnose: ${signal}: stopped\n`;
  }
}
