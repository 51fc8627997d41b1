/** What every command receives: its parsed flags and arguments, and where to write. */
import type { CommandName } from './command-table.js';
import type { CliOutput } from './output.js';
import type { OptionValue } from './parse-argv.js';

export interface CommandContext {
  command: CommandName;
  values: Record<string, OptionValue>;
  positionals: string[];
  output: CliOutput;
}

export type Command = (context: CommandContext) => Promise<number>;
