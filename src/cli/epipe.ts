/**
 * A reader that goes away (`plex-diagnose rules | head -1`) is not a crash: the rest of the output has nowhere to go.
 * Writes after EPIPE fail quietly, and the command still finishes (an experiment must still restore what it changed).
 */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
