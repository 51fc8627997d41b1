/** The options tables of docs/cli.md, from options.ts: docs-cli.test.ts checks the doc contains them as generated here. */
import { GLOBAL_OPTIONS, commandSpec, type CommandName, type OptionSpec } from '../../../src/cli/command-table.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function row(option: OptionSpec): string {
  const flag = `${option.short ? `\`-${option.short}\`, ` : ''}\`--${option.name}${option.value ? ` <${option.value}>` : ''}\``;
  return `| ${flag} | ${cell(option.description)} | ${option.env ? `\`${option.env}\`` : ''} |`;
}

/** The markdown table of a command's options (and the global ones). */
export function optionsTable(name: CommandName): string {
  const spec = commandSpec(name)!;
  return [
    '| Option | What it does | Environment |',
    '|---|---|---|',
    ...[...spec.options, ...GLOBAL_OPTIONS].map(row),
  ].join('\n');
}
