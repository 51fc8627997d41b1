import { escapeTerminal, stringifyJson } from '../../core/escape.js';
import { builtinRules } from '../../rules/builtin/index.js';
import type { CommandContext } from '../command-context.js';
import { loadUserExtensions } from '../load-user-rules.js';
import { ruleSettings } from '../validate-flags.js';

export default async function rulesCommand({ values, output }: CommandContext): Promise<number> {
  const extensions = await loadUserExtensions(ruleSettings(values).modules, output.streams.cwd);
  const rules = [...builtinRules, ...extensions.rules];
  if (values.json === true) {
    const list = rules.map((rule) => ({
      id: rule.id,
      severity: rule.meta.severity,
      category: rule.meta.category,
      title: rule.meta.title,
      requires: rule.meta.requires,
      uses: rule.meta.uses ?? [],
      messages: Object.keys(rule.meta.messages),
      docsUrl: rule.meta.docsUrl,
    }));
    output.out(`${stringifyJson(list)}\n`);
    return 0;
  }
  // A --rules module's meta is text we did not write: escaped like any other value before it joins a line.
  const width = Math.max(...rules.map((rule) => escapeTerminal(rule.id).length));
  for (const rule of rules)
    output.out(
      `${escapeTerminal(rule.id).padEnd(width)}  ${rule.meta.severity.padEnd(7)}  ${escapeTerminal(rule.meta.category).padEnd(15)}  ${escapeTerminal(rule.meta.title)}\n`,
    );
  output.out(
    `\n${rules.length} rules. \`plex-diagnose explain <rule-id>\` for one in detail; \`--rule <id>=off|info|warning|error\` to change one.\n`,
  );
  return 0;
}
