// The CLI entry. It stays tiny so `--version` and `--help` answer before any heavy module loads;
// everything else is behind a dynamic import.
import { VERSION } from '../version.js';

const argv = process.argv.slice(2);
if (argv.includes('--version') || argv.includes('-v')) {
  process.stdout.write(`${VERSION}\n`);
} else if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`plex-diagnose ${VERSION}: why can't people reach my Plex server, and what exactly do I change?\n\nUsage: plex-diagnose [--url <server>] [--token <token>]\n`);
} else {
  process.stderr.write(`plex-diagnose: unknown arguments: ${argv.join(' ')}\n`);
  process.exitCode = 2;
}
