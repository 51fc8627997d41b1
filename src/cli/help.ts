// Help text, generated from the options table. Kept free of heavy imports: `--help` must start fast.
import { COMMANDS, GLOBAL_OPTIONS, commandSpec, type CommandName, type OptionSpec } from './command-table.js';

function optionLine(option: OptionSpec): string {
  const flag = `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.value ? ` <${option.value}>` : ''}`;
  const env = option.env ? ` [env ${option.env}]` : '';
  return `  ${flag.padEnd(34)} ${option.description}${env}`;
}

export function topLevelHelp(version: string): string {
  return [
    `plex-diagnose ${version}: why can't people reach my Plex server, and what exactly do I change?`,
    '',
    'Usage: plex-diagnose [command] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    "Run with no command on the server's own host: it finds the server (GDM, then http://127.0.0.1:32400) and a",
    "token (--token, PLEX_TOKEN, `plex-diagnose login`, the server's Preferences.xml) by itself.",
    '',
    'Examples:',
    '  plex-diagnose                                  diagnose the server on this host',
    '  plex-diagnose --url http://192.168.1.10:32400  diagnose a server on the LAN',
    '  plex-diagnose demo                             see it work on a simulated broken setup',
    '  plex-diagnose --experiment alternate-port      prove (or rule out) an ISP block of port 32400',
    '  plex-diagnose --markdown > report.md           a redacted report to paste into a forum',
    '',
    'Exit codes: 0 no problem at or above --fail-on, 1 problems found, 2 usage or config error, 3 internal error,',
    '            4 inconclusive (no problem found, but a check that decides remote access could not run).',
    `Run \`plex-diagnose <command> --help\` for a command's options.`,
    '',
  ].join('\n');
}

export function commandHelp(name: CommandName): string {
  const spec = commandSpec(name)!;
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...spec.options.map(optionLine),
    ...GLOBAL_OPTIONS.map(optionLine),
    '',
  ].join('\n');
}

/** What `--version` or `--help` alone print: the fast path the launcher and the ES module entry share. */
export function fastPathOutput(argv: readonly string[], version: string): string | undefined {
  if (argv.length !== 1) return undefined;
  if (argv[0] === '--version' || argv[0] === '-v') return `${version}\n`;
  if (argv[0] === '--help' || argv[0] === '-h') return topLevelHelp(version);
  return undefined;
}
