// The `plex-diagnose` bin: a CommonJS file, because Node 20 starts one measurably faster than an ES module
// (docs/performance.md: a one-line CJS file costs 1.08× `node -e 0`, a one-line ESM file 1.25×). `--version` and
// `--help` answer from here; everything else runs the ES module CLI next to this file.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../core/version.js';
import { ignoreClosedOutput } from './epipe.js';
import { fastPathOutput } from './help.js';

ignoreClosedOutput();
const fast = fastPathOutput(process.argv.slice(2), VERSION);
if (fast !== undefined) {
  process.stdout.write(fast);
} else {
  // A computed specifier, so the bundler leaves the import to Node instead of inlining the ES module CLI.
  const cli = pathToFileURL(join(__dirname, 'cli.js')).href;
  import(cli).catch((error: unknown) => {
    process.stderr.write(`plex-diagnose: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  });
}
