/**
 * The CLI: argv → command → exit code. 0 nothing at or above --fail-on, 1 problems found, 2 usage or config error,
 * 3 internal error (a bug: the message says so), 4 inconclusive (a deciding check could not run). 130 when interrupted. Only this folder touches the process.
 */
import { isPlexDiagnoseError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { Command } from './command-context.js';
import { parseCommandLine } from './parse-argv.js';
import { commandHelp, topLevelHelp } from './help.js';
import { createOutput, type CliStreams } from './output.js';
import type { CommandName } from './command-table.js';

// Commands load on demand: `rules` or `explain` never pay for the probes.
const COMMANDS: Record<CommandName, () => Promise<{ default: Command }>> = {
  diagnose: () => import('./commands/diagnose.js'),
  collect: () => import('./commands/collect.js'),
  analyze: () => import('./commands/analyze.js'),
  discover: () => import('./commands/discover.js'),
  login: () => import('./commands/login.js'),
  rules: () => import('./commands/rules.js'),
  explain: () => import('./commands/explain.js'),
  demo: () => import('./commands/demo.js'),
  watch: () => import('./commands/watch.js'),
  fix: () => import('./commands/fix.js'),
  reflector: () => import('./commands/reflector.js'),
  'outside-check': () => import('./commands/outside-check.js'),
};

const USAGE_CODES = new Set(['PLEXDIAG_USAGE', 'PLEXDIAG_SNAPSHOT']);

export async function main(argv: readonly string[], streams: CliStreams): Promise<number> {
  let output = createOutput(streams, argv.includes('--no-color'));
  try {
    const parsed = parseCommandLine(argv);
    if (parsed.values.version === true) {
      output.out(`${VERSION}\n`);
      return 0;
    }
    if (parsed.help) {
      output.out(argv[0] === parsed.command ? commandHelp(parsed.command) : topLevelHelp(VERSION));
      return 0;
    }
    output = createOutput(streams, parsed.values['no-color'] === true);
    const command = (await COMMANDS[parsed.command]()).default;
    return await command({ command: parsed.command, values: parsed.values, positionals: parsed.positionals, output });
  } catch (error) {
    if (isPlexDiagnoseError(error) && USAGE_CODES.has(error.code)) {
      output.err(`plex-diagnose: ${error.message}\n`);
      return 2;
    }
    if (streams.signal.aborted) {
      output.err('plex-diagnose: interrupted\n');
      return 130;
    }
    // A typed failure (plex.tv unreachable during login, a server refusing a fix) is a problem found, not a bug.
    if (isPlexDiagnoseError(error)) {
      output.err(`plex-diagnose: ${error.message}\n`);
      return 1;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    output.err(`plex-diagnose: internal error (a bug; please report it with this message):\n${message}\n`);
    return 3;
  }
}
