/**
 * What the first Ctrl-C or SIGTERM does. Only `fix` and an `--experiment` change the server's settings; they get time
 * to restore them (a second signal quits at once). Every other command changes nothing, so it ends now: waiting on
 * cooperative cancellation would leave it hanging on a read that cannot be cancelled (a FIFO's open() blocks in the
 * thread pool), and "restoring any changes first" would be a lie.
 */

/** The command comes first in argv (parse-argv.ts); cheap to decide before any heavy module loads. */
export function changesState(argv: readonly string[]): boolean {
  return argv[0] === 'fix' || argv.some((arg) => arg === '--experiment' || arg.startsWith('--experiment='));
}

export function firstInterruptMessage(signal: NodeJS.Signals, argv: readonly string[]): string {
  return changesState(argv)
    ? `\nplex-diagnose: ${signal}: stopping (restoring any changes first; press Ctrl-C again to quit at once)\n`
    : `\nplex-diagnose: ${signal}: stopped\n`;
}
