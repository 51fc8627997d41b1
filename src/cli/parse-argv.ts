/**
 * argv → a command and its options, with node:util parseArgs (strict: an unknown flag is an error, not ignored).
 * The command, if any, comes first (`plex-diagnose analyze s.json`); without one it is `diagnose`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors.js';
import { COMMANDS, GLOBAL_OPTIONS, commandSpec, type CommandName, type OptionSpec } from './command-table.js';

export type OptionValue = string | boolean | string[] | undefined;

export interface ParsedCommandLine {
  command: CommandName;
  values: Record<string, OptionValue>;
  positionals: string[];
  help: boolean;
}

function parseArgsOptions(options: readonly OptionSpec[]): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const option of options) {
    out[option.name] = {
      type: option.type,
      ...(option.multiple ? { multiple: true } : {}),
      ...(option.short ? { short: option.short } : {}),
    };
  }
  return out;
}

function explain(error: unknown, command: CommandName): UsageError {
  const code = (error as { code?: string }).code;
  // Some parseArgs messages span lines ("argument is ambiguous.\nDid you forget...?\nTo specify..."): a reason is one line.
  const message = (error instanceof Error ? error.message : String(error))
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  const hint = `see \`plex-diagnose ${command === 'diagnose' ? '' : `${command} `}--help\``;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    return new UsageError(`unknown option ${flag} for ${command} (${hint})`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return new UsageError(`${message.replace(/\.$/, '').replace(/ argument missing$/, ' needs a value')} (${hint})`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const value = /'([^']+)'/.exec(message)?.[1] ?? '';
    const known = COMMANDS.some((c) => c.name === value) ? ` (commands go first: \`plex-diagnose ${value} ...\`)` : '';
    return new UsageError(`unexpected argument "${value}" for ${command}${known} (${hint})`);
  }
  return new UsageError(`${message} (${hint})`);
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const first = argv[0];
  const named = first !== undefined && !first.startsWith('-') ? commandSpec(first) : undefined;
  if (first !== undefined && !first.startsWith('-') && !named) {
    throw new UsageError(`unknown command "${first}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
  }
  const spec = named ?? commandSpec('diagnose')!;
  const rest = named ? argv.slice(1) : [...argv];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: parseArgsOptions([...spec.options, ...GLOBAL_OPTIONS]),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw explain(error, spec.name);
  }
  const values = parsed.values as Record<string, OptionValue>;
  // An empty value (`--plextv-url ""`, an unset variable in a script) is a mistake, not "use the default": the
  // default can be the real plex.tv or the multicast address the flag was meant to avoid. An empty --token used to
  // fall through to the other sources silently, so a run the user meant to be token-free could still send one.
  for (const [name, value] of Object.entries(values)) {
    if (name === 'token' && typeof value === 'string' && value.trim() === '')
      throw new UsageError(
        "--token is empty (an unset variable?): give the token, or drop --token to use PLEX_TOKEN, the login or the server's Preferences.xml",
      );
    const items = Array.isArray(value) ? value : [value];
    if (items.some((item) => typeof item === 'string' && item.trim() === ''))
      throw new UsageError(
        `--${name} is empty (see \`plex-diagnose ${spec.name === 'diagnose' ? '' : `${spec.name} `}--help\`)`,
      );
  }
  const help = values.help === true;
  if (!help) {
    const [min, max] = spec.positionals;
    if (parsed.positionals.length > max)
      throw explain(
        Object.assign(new Error(`'${parsed.positionals[max]}'`), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' }),
        spec.name,
      );
    if (parsed.positionals.length < min) throw new UsageError(`${spec.name} needs an argument: ${spec.usage}`);
  }
  return { command: spec.name, values, positionals: parsed.positionals, help };
}
