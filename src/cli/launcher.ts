// The `plex-diagnose` bin: a CommonJS file, because Node 20 starts one measurably faster than an ES module
// (docs/performance.md: a one-line CJS file costs 1.08× `node -e 0`, a one-line ESM file 1.25×). `--version` and
// `--help` answer from here; everything else runs the CommonJS CLI bundle next to this file, compiled with a V8 code
// cache kept under the user's cache directory (code-cache.ts).
import { join } from 'node:path';
import { VERSION } from '../core/version.js';
import { ignoreClosedOutput } from './epipe.js';
import { fastPathOutput } from './help.js';

ignoreClosedOutput();
const fast = fastPathOutput(process.argv.slice(2), VERSION);
if (fast !== undefined) {
  process.stdout.write(fast);
} else {
  // import(): bundled, it stays a lazy init, so `--version` and `--help` load neither node:crypto nor node:vm.
  import('./code-cache.js')
    // A computed path, so the bundler leaves the CLI to Node instead of inlining it into the launcher.
    .then(({ runWithCodeCache, userCacheDir }) => runWithCodeCache(join(__dirname, 'cli.cjs'), VERSION, userCacheDir()))
    .catch((error: unknown) => {
      process.stderr.write(`plex-diagnose: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 3;
    });
}
